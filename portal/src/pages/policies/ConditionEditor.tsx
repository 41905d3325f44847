import { useId, type ReactNode } from "react";
import {
  comparison,
  depthOf,
  FIELDS,
  group,
  LIST_OPERATORS,
  MAX_DEPTH,
  nodePaths,
  operatorsFor,
  updateNode,
  type ComparisonNode,
  type ConditionNode,
  type GroupNode,
  type LocatedError,
  type Operator,
} from "./conditions";

const OP_WORDS: Record<Operator, string> = {
  eq: "equals",
  ne: "does not equal",
  in: "is one of",
  not_in: "is none of",
  glob: "matches the pattern",
  contains: "contains",
  gt: "is more than",
  gte: "is at least",
  lt: "is less than",
  lte: "is at most",
};

function valueHint(node: ComparisonNode): string {
  if (LIST_OPERATORS.includes(node.op)) return "Several values, separated by commas.";
  if (node.op === "glob") return "* matches anything, ? one character: deploy.*";
  if (node.field === "time.hour") return "An hour of the day in UTC, 0 to 23.";
  if (node.field === "time.weekday") return "mon, tue, wed, thu, fri, sat or sun (UTC).";
  if (node.field === "estimated_cost_usd") return "USD, e.g. 5 or 0.25.";
  if (node.field.startsWith("context.")) return 'Numbers, true, false and null are read as such; quote to keep text: "500".';
  return "";
}

interface Props {
  root: GroupNode;
  onChange(root: GroupNode | null): void;
  /** API errors by node path (conditionErrorAt). */
  errors: Map<string, LocatedError>;
}

/** The structured editor of a policy's conditions: groups (all / any), nested, of comparisons. */
export function ConditionEditor({ root, onChange, errors }: Props) {
  const paths = nodePaths(root);
  const listId = useId();
  const counter = { n: 0 };
  const change = (id: number, fn: (node: ConditionNode) => ConditionNode | null) => onChange(updateNode(root, id, fn));

  const renderComparison = (node: ComparisonNode) => {
    counter.n += 1;
    const label = `Condition ${counter.n}`;
    const path = paths.get(node.id) ?? "";
    const error = errors.get(path);
    const base = `cond-${node.id}`;
    const hint = valueHint(node);
    const ops = operatorsFor(node.field);
    const invalid = (part: string) => (error && (error.part === part || (error.part === null && part === "value")) ? true : undefined);
    return (
      <li key={node.id}>
        <fieldset className={`condition${error ? " condition-invalid" : ""}`} aria-describedby={error ? `${base}-error` : undefined}>
          <legend>{label}</legend>
          <div className="condition-row">
            <div>
              <label htmlFor={`${base}-field`}>Field</label>
              <input
                id={`${base}-field`}
                list={listId}
                value={node.field}
                aria-invalid={invalid("field")}
                onChange={(e) => {
                  const field = e.target.value;
                  const allowed = operatorsFor(field);
                  change(node.id, (n) => ({ ...(n as ComparisonNode), field, op: allowed.includes(node.op) ? node.op : (allowed[0] ?? "eq") }));
                }}
              />
            </div>
            <div>
              <label htmlFor={`${base}-op`}>Operator</label>
              <select
                id={`${base}-op`}
                value={node.op}
                aria-invalid={invalid("op")}
                onChange={(e) => change(node.id, (n) => ({ ...(n as ComparisonNode), op: e.target.value as Operator }))}
              >
                {(ops.includes(node.op) ? ops : [node.op, ...ops]).map((op) => (
                  <option key={op} value={op}>
                    {OP_WORDS[op]} ({op})
                  </option>
                ))}
              </select>
            </div>
            <div className="grow">
              <label htmlFor={`${base}-value`}>Value</label>
              <input
                id={`${base}-value`}
                value={node.value}
                aria-invalid={invalid("value")}
                aria-describedby={hint ? `${base}-hint` : undefined}
                onChange={(e) => change(node.id, (n) => ({ ...(n as ComparisonNode), value: e.target.value }))}
              />
            </div>
            <button type="button" onClick={() => change(node.id, () => null)} aria-label={`Remove ${label.toLowerCase()}`}>
              Remove
            </button>
          </div>
          {hint && (
            <p id={`${base}-hint`} className="hint">
              {hint}
            </p>
          )}
          {error && (
            <p id={`${base}-error`} className="field-error" role="alert">
              ⚠ {error.part ? `${error.part}: ` : ""}
              {error.message}
            </p>
          )}
        </fieldset>
      </li>
    );
  };

  const renderGroup = (node: GroupNode, isRoot: boolean): ReactNode => {
    const depth = depthOf(root, node.id);
    const path = paths.get(node.id) ?? "";
    const error = errors.get(path);
    const base = `group-${node.id}`;
    const name = isRoot ? "Conditions" : `Group (${node.mode})`;
    return (
      <fieldset className={`condition-group${error ? " condition-invalid" : ""}`} aria-label={isRoot ? "Conditions" : undefined}>
        <legend>
          <label htmlFor={`${base}-mode`}>{isRoot ? "Match" : "Group: match"}</label>{" "}
          <select
            id={`${base}-mode`}
            value={node.mode}
            onChange={(e) => change(node.id, (n) => ({ ...(n as GroupNode), mode: e.target.value as "all" | "any" }))}
          >
            <option value="all">all of (and)</option>
            <option value="any">any of (or)</option>
          </select>
        </legend>
        {error && (
          <p className="field-error" role="alert">
            ⚠ {error.message}
          </p>
        )}
        <ul className="plain">
          {node.children.map((child) => (child.kind === "comparison" ? renderComparison(child) : <li key={child.id}>{renderGroup(child, false)}</li>))}
        </ul>
        <div className="actions">
          <button type="button" onClick={() => change(node.id, (n) => ({ ...(n as GroupNode), children: [...(n as GroupNode).children, comparison()] }))}>
            + Condition
          </button>
          {depth < MAX_DEPTH - 1 && (
            <button type="button" onClick={() => change(node.id, (n) => ({ ...(n as GroupNode), children: [...(n as GroupNode).children, group("any")] }))}>
              + Nested group
            </button>
          )}
          {!isRoot && (
            <button type="button" onClick={() => change(node.id, () => null)} aria-label={`Remove ${name.toLowerCase()}`}>
              Remove group
            </button>
          )}
        </div>
      </fieldset>
    );
  };

  return (
    <div className="condition-editor">
      <datalist id={listId}>
        {[...FIELDS, "context."].map((f) => (
          <option key={f} value={f} />
        ))}
      </datalist>
      {renderGroup(root, true)}
    </div>
  );
}
