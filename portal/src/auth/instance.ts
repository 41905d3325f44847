import { api, call, useTokenSource } from "../api/client";
import { Session } from "./session";

/** The portal's one session, wired to the API's Cognito-backed auth routes. */
export const session = new Session(
  {
    refresh: async (refreshToken) =>
      (await call(() => api.POST("/api/v1/auth/refresh-token", { body: { refresh_token: refreshToken } })))
        .tokens,
    logout: async (accessToken) => {
      await call(() =>
        api.POST("/api/v1/auth/logout", { headers: { Authorization: `Bearer ${accessToken}` } }),
      );
    },
  },
  window.sessionStorage,
);
useTokenSource(session);
