import { describe, expect, it } from "vitest";
import {
  comparison,
  conditionErrorAt,
  ConditionJsonError,
  describe as describeConditions,
  fromConditions,
  group,
  nodePaths,
  parseScalar,
  splitValues,
  toConditions,
  updateNode,
  type ComparisonNode,
  type GroupNode,
} from "./conditions";

const REFUNDS = {
  all: [
    { field: "action", op: "glob", value: "payments.refund*" },
    { field: "context.amount", op: "gt", value: 500 },
    { any: [{ field: "agent.tags", op: "in", value: ["prod", "eu"] }, { field: "time.hour", op: "lt", value: 6 }] },
  ],
};

describe("the condition editor and the API's JSON", () => {
  it("round-trips a nested condition unchanged", () => {
    expect(toConditions(fromConditions(REFUNDS))).toEqual(REFUNDS);
  });

  it("keeps every scalar type of context values through the editor", () => {
    const raw = {
      any: [
        { field: "context.env", op: "eq", value: "production" },
        { field: "context.code", op: "eq", value: "500" },
        { field: "context.flag", op: "eq", value: true },
        { field: "context.gone", op: "eq", value: null },
        { field: "context.region", op: "in", value: ["eu-west-1", "a,b"] },
      ],
    };
    const tree = fromConditions(raw)!;
    expect((tree.children[1] as ComparisonNode).value).toBe('"500"'); // a string that looks like a number stays quoted
    expect(toConditions(tree)).toEqual(raw);
  });

  it("turns typed text into the types each field compares", () => {
    const root = group("all", [
      comparison("estimated_cost_usd", "gte", "2.5"),
      comparison("time.weekday", "in", "sat, sun"),
      comparison("context.amount", "gt", "500"),
      comparison("action", "eq", "  deploy "),
    ]);
    expect(toConditions(root)).toEqual({
      all: [
        { field: "estimated_cost_usd", op: "gte", value: 2.5 },
        { field: "time.weekday", op: "in", value: ["sat", "sun"] },
        { field: "context.amount", op: "gt", value: 500 },
        { field: "action", op: "eq", value: "deploy" },
      ],
    });
  });

  it("sends a number that does not parse as typed so the API names it", () => {
    expect(parseScalar("estimated_cost_usd", "gt", "a lot")).toBe("a lot");
  });

  it("splits lists on commas outside quotes", () => {
    expect(splitValues('a, "b,c", d,')).toEqual(["a", '"b,c"', "d"]);
  });

  it("has no conditions when the editor holds none", () => {
    expect(toConditions(null)).toBeNull();
    expect(fromConditions(null)).toBeNull();
  });

  it.each([
    [{ field: "action", op: "eq", value: "x" }, "conditions"],
    [{ all: [] }, "conditions.all"],
    [{ all: [{ field: "action", op: "between", value: 1 }] }, "conditions.all[0].op"],
    [{ all: [{ field: "action", op: "eq" }] }, "conditions.all[0].value"],
    [{ all: [{ any: [{ all: [{ any: [{ all: [{ any: [{ field: "action", op: "eq", value: "x" }] }] }] }] }] }] }, "conditions.all[0].any[0].all[0].any[0].all[0]"],
  ])("refuses malformed JSON %j naming the path", (raw, path) => {
    let caught: unknown;
    try {
      fromConditions(raw);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConditionJsonError);
    expect((caught as ConditionJsonError).path).toBe(path);
  });

  it("names each node by the path the API uses", () => {
    const tree = fromConditions(REFUNDS)!;
    const inner = tree.children[2] as GroupNode;
    const paths = nodePaths(tree);
    expect(paths.get(tree.id)).toBe("conditions");
    expect(paths.get(tree.children[1]!.id)).toBe("conditions.all[1]");
    expect(paths.get(inner.children[1]!.id)).toBe("conditions.all[2].any[1]");
  });

  it.each([
    ["Value error, conditions.all[1].op: unknown operator 'between'; operators are eq", { path: "conditions.all[1]", part: "op", message: "unknown operator 'between'; operators are eq" }],
    ["conditions.all[2].any[0].value[1]: must be a weekday", { path: "conditions.all[2].any[0]", part: "value", message: "must be a weekday" }],
    ["conditions.any: must be a non-empty list of at most 50", { path: "conditions", part: null, message: "must be a non-empty list of at most 50" }],
    ["conditions: the top level is {all: [...]} or {any: [...]}", { path: "conditions", part: null, message: "the top level is {all: [...]} or {any: [...]}" }],
    ["Field required", { path: "conditions", part: null, message: "Field required" }],
  ])("locates the API's message %s", (message, expected) => {
    expect(conditionErrorAt(message)).toEqual(expected);
  });

  it("removes a comparison, then an emptied group, then the whole condition", () => {
    const tree = fromConditions({ all: [{ field: "action", op: "eq", value: "a" }, { any: [{ field: "action", op: "eq", value: "b" }] }] })!;
    const nested = tree.children[1] as GroupNode;
    const withoutNested = updateNode(tree, nested.children[0]!.id, () => null)!;
    expect(toConditions(withoutNested)).toEqual({ all: [{ field: "action", op: "eq", value: "a" }] });
    expect(updateNode(withoutNested, withoutNested.children[0]!.id, () => null)).toBeNull();
  });

  it("describes a condition in a sentence", () => {
    expect(describeConditions(REFUNDS)).toBe("action glob payments.refund* and context.amount gt 500 and (agent.tags in [prod, eu] or time.hour lt 6)");
    expect(describeConditions(null)).toBe("every request in scope");
  });
});
