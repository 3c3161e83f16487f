// Signing in (a token exchanged for an HttpOnly session cookie), the header, signing out.
import { api } from "./api.js";
import { hubNow, startClock, syncClock } from "./clock.js";
import { $, showError } from "./dom.js";

const EXERCISE_AFTER_MS = 5 * 60 * 1000;

/** The caller's identity, or null when there is no session. */
export async function loadMe() {
  try {
    const readAt = Date.now();
    const me = await api("/me");
    syncClock(me.hub_time, readAt);
    return me;
  } catch (error) {
    if (error.status === 401) return null;
    throw error;
  }
}

/** Shows the sign-in form; resolves with the identity once a token was accepted. */
export function signIn(message = "") {
  $("console").hidden = true;
  $("signin").hidden = false;
  const form = $("signin-form");
  const error = $("signin-error");
  showError(error, message || null);
  $("signin-token").focus();
  return new Promise((resolve) => {
    const submit = async (event) => {
      event.preventDefault();
      const token = $("signin-token").value.trim();
      if (!token) {
        showError(error, "Enter your access token.");
        return;
      }
      try {
        await api("/session", { method: "POST", body: { token } });
        const me = await loadMe();
        if (me === null) throw new Error("the session was not accepted by this browser");
        $("signin-token").value = "";
        showError(error, null);
        form.removeEventListener("submit", submit);
        $("signin").hidden = true;
        resolve(me);
      } catch (failure) {
        showError(error, failure.status === 401 || failure.status === 422
          ? "That token was not accepted: check it and try again." : failure);
      }
    };
    form.addEventListener("submit", submit);
  });
}

export function showIdentity(me) {
  $("me-party").textContent = me.party;
  $("me-role").textContent = me.role;
  $("console").hidden = false;
  startClock();
  // The hub's clock far from this computer's: the hub runs an exercise (`--at`).
  $("clock-mode").hidden = Math.abs(hubNow().getTime() - Date.now()) < EXERCISE_AFTER_MS;
}

export async function signOut() {
  try {
    await api("/session", { method: "DELETE" });
  } finally {
    window.location.reload();
  }
}
