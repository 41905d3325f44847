import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api, call, collect, type Schemas, type Tokens } from "../api/client";
import { session } from "./instance";
import type { SessionUser } from "./session";

export type Role = Schemas["Role"];
const RANK: Record<string, number> = { viewer: 0, member: 1, team_lead: 2, admin: 3, owner: 4 };

export function roleAtLeast(role: Role | null, minimum: Role): boolean {
  return role !== null && (RANK[role] ?? -1) >= (RANK[minimum] ?? 99);
}

interface AuthState {
  /** "restoring" while a reload's refresh token is being exchanged. */
  status: "restoring" | "signed-in" | "signed-out";
  user: SessionUser | null;
  role: Role | null;
  org: Schemas["OrgProfile"] | null;
  begin(tokens: Tokens): void;
  signOut(): Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<AuthState["status"]>(
    session.signedIn ? "signed-in" : session.hasRefreshToken ? "restoring" : "signed-out",
  );
  const [user, setUser] = useState<SessionUser | null>(session.user());
  const [role, setRole] = useState<Role | null>(null);
  const [org, setOrg] = useState<AuthState["org"]>(null);

  useEffect(
    () =>
      session.subscribe(() => {
        setStatus(session.signedIn ? "signed-in" : "signed-out");
        setUser(session.user());
      }),
    [],
  );

  useEffect(() => {
    if (status === "restoring") void session.refresh().then((ok) => !ok && setStatus("signed-out"));
  }, [status]);

  // Who am I in this organisation: the role gates buttons (the API enforces it regardless).
  useEffect(() => {
    if (status !== "signed-in" || !user) {
      setRole(null);
      setOrg(null);
      return;
    }
    let live = true;
    void (async () => {
      try {
        const [profile, members] = await Promise.all([
          call(() => api.GET("/api/v1/orgs/profile")),
          collect((cursor) => call(() => api.GET("/api/v1/org-members", { params: { query: { limit: 100, cursor } } }))),
        ]);
        if (!live) return;
        setOrg(profile);
        const me = members.find((m) => m.email.toLowerCase() === user.email.toLowerCase());
        setRole((me?.role as Role | undefined) ?? "viewer");
      } catch {
        if (live) setRole("viewer");
      }
    })();
    return () => {
      live = false;
    };
  }, [status, user]);

  const begin = useCallback((tokens: Tokens) => session.start(tokens), []);
  const signOut = useCallback(() => session.signOut(), []);
  const value = useMemo(
    () => ({ status, user, role, org, begin, signOut }),
    [status, user, role, org, begin, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}
