/**
 * The policy condition language (docs/policies.md) as an editable tree, and back to the API's JSON.
 *
 * A condition is `{"all": [...]}` or `{"any": [...]}` (nestable) over comparisons
 * `{"field", "op", "value"}`. The editor keeps values as the text a person typed; `toConditions`
 * turns them into the JSON types the API checks (numbers for costs and hours, lists for in/not_in).
 * The API validates again and its message names the path (`conditions.all[1].op`), which
 * `conditionErrorAt` maps back onto the node it concerns.
 */

export const OPERATORS = ["eq", "ne", "in", "not_in", "glob", "contains", "gt", "gte", "lt", "lte"] as const;
export type Operator = (typeof OPERATORS)[number];
export const LIST_OPERATORS: readonly Operator[] = ["in", "not_in"];
const NUMERIC_OPERATORS: readonly Operator[] = ["gt", "gte", "lt", "lte"];
const TEXT_OPS: readonly Operator[] = ["eq", "ne", "in", "not_in", "glob", "contains"];
const NUMBER_OPS: readonly Operator[] = ["eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte"];

/** Which operators each field accepts (the policy service's table); `context.<key>` accepts all. */
export const FIELD_OPERATORS: Record<string, readonly Operator[]> = {
  action: TEXT_OPS,
  resource: TEXT_OPS,
  "agent.id": TEXT_OPS,
  "agent.team": TEXT_OPS,
  "agent.tags": ["contains", "in", "not_in"],
  estimated_cost_usd: NUMBER_OPS,
  "time.hour": NUMBER_OPS,
  "time.weekday": ["eq", "ne", "in", "not_in"],
};
export const FIELDS = Object.keys(FIELD_OPERATORS);
export const MAX_DEPTH = 5;

export function operatorsFor(field: string): readonly Operator[] {
  return FIELD_OPERATORS[field] ?? OPERATORS;
}

export interface ComparisonNode {
  kind: "comparison";
  id: number;
  field: string;
  op: Operator;
  /** As typed; lists are comma-separated. */
  value: string;
}

export interface GroupNode {
  kind: "group";
  id: number;
  mode: "all" | "any";
  children: ConditionNode[];
}

export type ConditionNode = ComparisonNode | GroupNode;

let nextId = 1;
function newId(): number {
  return nextId++;
}

export function comparison(field = "action", op: Operator = "eq", value = ""): ComparisonNode {
  return { kind: "comparison", id: newId(), field, op, value };
}

export function group(mode: "all" | "any" = "all", children: ConditionNode[] = [comparison()]): GroupNode {
  return { kind: "group", id: newId(), mode, children };
}

export class ConditionJsonError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.path = path;
  }
}

// --- editor -> JSON ----------------------------------------------------------------------------

const isNumericField = (field: string) => field === "estimated_cost_usd" || field === "time.hour";

/** One typed value as the JSON the field compares: numbers for costs and hours, JSON literals for context. */
export function parseScalar(field: string, op: Operator, text: string): unknown {
  const raw = text.trim();
  if (isNumericField(field) || NUMERIC_OPERATORS.includes(op)) {
    const n = Number(raw);
    return raw !== "" && Number.isFinite(n) ? n : raw; // not a number: sent as typed, the API names it
  }
  if (field.startsWith("context.")) {
    // "500" is the number 500, true/false/null are themselves; quote a value to keep it text.
    if (raw === "") return raw;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed === null || ["number", "boolean", "string"].includes(typeof parsed)) return parsed;
    } catch {
      /* plain text */
    }
    return raw;
  }
  return raw;
}

/** Split a list on commas, keeping commas inside double quotes. */
export function splitValues(text: string): string[] {
  const out: string[] = [];
  let current = "";
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === "," && !quoted) {
      out.push(current);
      current = "";
    } else current += ch;
  }
  out.push(current);
  return out.map((s) => s.trim()).filter((s) => s !== "");
}

function comparisonJson(node: ComparisonNode): Record<string, unknown> {
  const value = LIST_OPERATORS.includes(node.op)
    ? splitValues(node.value).map((v) => parseScalar(node.field, node.op, v))
    : parseScalar(node.field, node.op, node.value);
  return { field: node.field, op: node.op, value };
}

export function nodeJson(node: ConditionNode): Record<string, unknown> {
  if (node.kind === "comparison") return comparisonJson(node);
  return { [node.mode]: node.children.map(nodeJson) };
}

/** The API's `conditions`: null (matches every request in scope) when the editor holds none. */
export function toConditions(root: GroupNode | null): Record<string, unknown> | null {
  return root === null ? null : nodeJson(root);
}

// --- JSON -> editor ----------------------------------------------------------------------------

function formatScalar(field: string, value: unknown): string {
  if (typeof value === "string") {
    // A context string that would read back as a number, boolean or null keeps its quotes.
    if (field.startsWith("context.")) {
      try {
        const parsed: unknown = JSON.parse(value);
        if (parsed === null || typeof parsed !== "string") return JSON.stringify(value);
      } catch {
        /* plain text */
      }
      if (value.includes(",")) return JSON.stringify(value);
    }
    return value;
  }
  return JSON.stringify(value);
}

function toNode(raw: unknown, path: string, depth: number): ConditionNode {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConditionJsonError(path, "must be an object: {all: [...]}, {any: [...]} or {field, op, value}");
  }
  const obj = raw as Record<string, unknown>;
  if ("all" in obj || "any" in obj) {
    if (Object.keys(obj).length !== 1) throw new ConditionJsonError(path, "a group has exactly one key, all or any");
    if (depth >= MAX_DEPTH) throw new ConditionJsonError(path, `nests deeper than ${MAX_DEPTH} levels`);
    const mode = "all" in obj ? "all" : "any";
    const children = obj[mode];
    if (!Array.isArray(children) || children.length === 0) {
      throw new ConditionJsonError(`${path}.${mode}`, "must be a non-empty list");
    }
    return { kind: "group", id: newId(), mode, children: children.map((c, i) => toNode(c, `${path}.${mode}[${i}]`, depth + 1)) };
  }
  for (const key of ["field", "op", "value"]) {
    if (!(key in obj)) throw new ConditionJsonError(`${path}.${key}`, "is required");
  }
  const extra = Object.keys(obj).filter((k) => !["field", "op", "value"].includes(k));
  if (extra.length) throw new ConditionJsonError(path, `unknown key '${extra[0]}'; a comparison has field, op and value`);
  if (typeof obj.field !== "string") throw new ConditionJsonError(`${path}.field`, "must be a string");
  if (!OPERATORS.includes(obj.op as Operator)) {
    throw new ConditionJsonError(`${path}.op`, `unknown operator '${String(obj.op)}'; operators are ${OPERATORS.join(", ")}`);
  }
  const field = obj.field;
  const op = obj.op as Operator;
  const value = Array.isArray(obj.value) ? obj.value.map((v) => formatScalar(field, v)).join(", ") : formatScalar(field, obj.value);
  return { kind: "comparison", id: newId(), field, op, value };
}

/** The editor's tree of the API's `conditions` (null: no condition); throws ConditionJsonError naming the path. */
export function fromConditions(raw: unknown): GroupNode | null {
  if (raw === null || raw === undefined) return null;
  if (!raw || typeof raw !== "object" || Array.isArray(raw) || !("all" in raw || "any" in raw)) {
    throw new ConditionJsonError("conditions", "the top level is {all: [...]} or {any: [...]}");
  }
  return toNode(raw, "conditions", 0) as GroupNode;
}

// --- paths, for the API's errors ----------------------------------------------------------------

/** Every node's path as the API names it (`conditions`, `conditions.all[0]`, `conditions.all[1].any[0]`). */
export function nodePaths(root: GroupNode | null): Map<number, string> {
  const paths = new Map<number, string>();
  const walk = (node: ConditionNode, path: string) => {
    paths.set(node.id, path);
    if (node.kind === "group") node.children.forEach((c, i) => walk(c, `${path}.${node.mode}[${i}]`));
  };
  if (root) walk(root, "conditions");
  return paths;
}

export interface LocatedError {
  /** The node's path (`conditions.all[1]`). */
  path: string;
  /** Which part of a comparison: field, op, value; null for the node as a whole. */
  part: "field" | "op" | "value" | null;
  message: string;
}

/**
 * Where an API message such as `conditions.all[1].op: unknown operator 'between'` points.
 * Pydantic may prefix "Value error, "; a message without a path concerns the whole condition.
 */
export function conditionErrorAt(message: string): LocatedError {
  const text = message.replace(/^Value error,\s*/, "");
  const found = /^(conditions(?:\.(?:all|any)\[\d+\])*)(?:\.(all|any|field|op|value)(?:\[\d+\])?)?:\s*(.*)$/s.exec(text);
  if (!found) return { path: "conditions", part: null, message: text };
  const [, path = "conditions", part, rest = text] = found;
  const known = part === "field" || part === "op" || part === "value" ? part : null;
  return { path, part: known, message: rest };
}

// --- editing (immutable updates) -------------------------------------------------------------------

export function updateNode(root: GroupNode, id: number, change: (node: ConditionNode) => ConditionNode | null): GroupNode | null {
  const visit = (node: ConditionNode): ConditionNode | null => {
    if (node.id === id) return change(node);
    if (node.kind === "comparison") return node;
    const children = node.children.map(visit).filter((c): c is ConditionNode => c !== null);
    // A group left empty goes too (the language has no empty group); an empty root is "no condition".
    return children.length ? { ...node, children } : null;
  };
  const result = visit(root);
  return result && result.kind === "group" ? result : null;
}

export function depthOf(root: GroupNode, id: number): number {
  const walk = (node: ConditionNode, depth: number): number => {
    if (node.id === id) return depth;
    if (node.kind === "group") for (const c of node.children) {
      const d = walk(c, depth + 1);
      if (d >= 0) return d;
    }
    return -1;
  };
  return walk(root, 0);
}

/** A short sentence of the condition for lists: `action = deploy and context.env in [prod]`. */
export function describe(raw: unknown): string {
  let root: GroupNode | null;
  try {
    root = fromConditions(raw);
  } catch {
    return JSON.stringify(raw);
  }
  if (!root) return "every request in scope";
  const text = (node: ConditionNode): string => {
    if (node.kind === "comparison") {
      const v = LIST_OPERATORS.includes(node.op) ? `[${node.value}]` : node.value;
      return `${node.field} ${node.op} ${v}`;
    }
    const inner = node.children.map(text).join(node.mode === "all" ? " and " : " or ");
    return node.children.length > 1 ? `(${inner})` : inner;
  };
  return root.children.map(text).join(root.mode === "all" ? " and " : " or ");
}
