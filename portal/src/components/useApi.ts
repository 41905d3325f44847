import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "../api/errors";

export type Loaded<T> =
  | { state: "loading"; data?: undefined; error?: undefined }
  | { state: "error"; data?: undefined; error: ApiError }
  | { state: "ready"; data: T; error?: undefined };

/** Load on mount and whenever `deps` change; `reload` loads again. Stale answers are dropped. */
export function useApi<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> & { reload(): void } {
  const [value, setValue] = useState<Loaded<T>>({ state: "loading" });
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  useEffect(() => {
    const mine = ++generation.current;
    setValue((v) => (v.state === "ready" ? v : { state: "loading" }));
    load().then(
      (data) => mine === generation.current && setValue({ state: "ready", data }),
      (err: unknown) =>
        mine === generation.current &&
        setValue({
          state: "error",
          error: err instanceof ApiError ? err : new ApiError(0, "client_error", String(err)),
        }),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...value, reload };
}
