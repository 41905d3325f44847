import { useEffect, useRef, useState } from "react";
import "swagger-ui-dist/swagger-ui.css";
import "./explorer.css";
import { Loading } from "../../components/States";

/** Swagger UI on the API's own document; "Try it out" calls this origin. */
export default function Explorer() {
  const ref = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let live = true;
    void import("swagger-ui-dist/swagger-ui-es-bundle.js")
      .then((module) => {
        if (!live || !ref.current) return;
        const SwaggerUIBundle = (module.default ?? module) as (options: Record<string, unknown>) => unknown;
        SwaggerUIBundle({
          domNode: ref.current,
          url: "/openapi.json",
          deepLinking: false,
          tryItOutEnabled: false,
          onComplete: () => {
            // Swagger UI leaves its server choice unlabelled.
            ref.current?.querySelector("#servers")?.setAttribute("aria-label", "Server");
            if (live) setReady(true);
          },
        });
      })
      .catch((err: unknown) => live && setError(String(err)));
    return () => {
      live = false;
    };
  }, []);
  return (
    <>
      <h1>API explorer</h1>
      <p className="lead">
        The live OpenAPI document of this deployment (<a href="/openapi.json">/openapi.json</a>). Authorize with an
        access token or an API key to try calls.
      </p>
      {error && (
        <div className="state state-error" role="alert">
          ⚠ The explorer failed to load: {error}
        </div>
      )}
      {!ready && !error && <Loading label="Loading the API document" />}
      <div ref={ref} className="explorer" />
    </>
  );
}
