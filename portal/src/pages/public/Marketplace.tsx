import { useState } from "react";
import { messageOf } from "../../api/errors";
import { Empty, Loading } from "../../components/States";
import { useApi } from "../../components/useApi";

interface Listing {
  tenant_id?: string;
  agent_id?: string;
  id?: string;
  name: string;
  description?: string;
  tags?: string[];
  skills?: { name?: string }[];
}

/** Published agents. The route is newer than this page's typed client, so it is read untyped. */
export default function Marketplace() {
  const [q, setQ] = useState("");
  const [query, setQuery] = useState("");
  const listing = useApi(async () => {
    const response = await fetch(`/api/v1/marketplace/agents?limit=50${query ? `&q=${encodeURIComponent(query)}` : ""}`);
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`The marketplace answered ${response.status}.`);
    return ((await response.json()) as { items: Listing[] }).items;
  }, [query]);
  return (
    <>
      <h1>Marketplace</h1>
      <form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(q);
        }}
      >
        <label htmlFor="market-q">Search published agents</label>
        <input id="market-q" value={q} onChange={(e) => setQ(e.target.value)} />
        <button type="submit">Search</button>
      </form>
      {listing.state === "loading" && <Loading />}
      {listing.state === "error" && <p role="alert">⚠ {messageOf(listing.error)}</p>}
      {listing.state === "ready" &&
        (listing.data === null ? (
          <Empty title="The marketplace is not available on this deployment." />
        ) : listing.data.length === 0 ? (
          <Empty title="No published agents match." />
        ) : (
          <ul className="cards">
            {listing.data.map((a) => (
              <li key={`${a.tenant_id}/${a.agent_id ?? a.id}`} className="card">
                <h2>{a.name}</h2>
                <p>{a.description}</p>
                {a.tags && a.tags.length > 0 && <p className="tags">{a.tags.map((t) => <span key={t} className="tag">{t}</span>)}</p>}
              </li>
            ))}
          </ul>
        ))}
    </>
  );
}
