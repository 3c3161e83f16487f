// Lines of communication: messages on the air, ground and command lines that need an
// acknowledgement by a deadline; the deadline counts down on the hub's clock, and escalation
// (to the next line, then "unresponsive") is shown as the hub reports it.
import { api } from "./api.js";
import { hubNow } from "./clock.js";
import { $, clockTime, duration, h, renderKeyed, replaceChildren, showError, timeEl } from "./dom.js";
import { myParty, on, state } from "./state.js";

let refreshAll = async () => {};

export function init({ refresh }) {
  refreshAll = refresh;
  on("parties", fillRecipients);
  on("messages", render);
  on("alerts", renderStatus);
  $("message-form").addEventListener("submit", send);
  setInterval(tick, 1000);
}

function fillRecipients() {
  const select = $("message-to");
  const current = select.value;
  replaceChildren(select, ...state.parties.filter((p) => p.relation !== "self")
    .map((p) => h("option", { value: p.id }, `${p.id} (${p.relation})`)));
  if (current) select.value = current;
}

function render() {
  const sorted = [...state.messages].sort((a, b) => b.sent.localeCompare(a.sent));
  renderKeyed($("message-list"), sorted, (m) => m.id, (m) => JSON.stringify(m), item,
              "No messages.");
  tick();
}

function item(m) {
  const incoming = m.to === myParty();
  const followUp = state.messages.find((x) => x.escalated_from === m.id);
  const ack = incoming && !m.acknowledged
    ? h("button", { type: "button", onclick: () => acknowledge(m.id) }, "Acknowledge") : null;
  return h("li", { class: `item message ${incoming ? "incoming" : "outgoing"}`,
                   dataset: { testid: "message-item", messageId: m.id, level: m.level } },
    h("div", { class: "item-head" },
      h("span", { class: `tag line-${m.level}` }, `${m.level} line`),
      h("strong", {}, incoming ? `from ${m.from}` : `to ${m.to}`),
      timeEl(m.sent)),
    h("p", { class: "message-text" }, m.text),
    m.escalated_from ? h("p", { class: "escalation" },
      `Escalation of ${m.escalated_from}, which was not acknowledged in time.`) : null,
    m.escalated ? h("p", { class: "escalation" }, "Not acknowledged by the deadline: ",
      followUp ? `escalated to the ${followUp.level} line (${followUp.id}) at ` : "escalated at ",
      timeEl(m.escalated), ".") : null,
    h("p", { class: "deadline", dataset: { testid: "deadline", deadline: m.deadline,
                                           acknowledged: m.acknowledged || "",
                                           escalated: m.escalated || "" } }),
    ack);
}

/** Counts each open deadline down (or up, once passed) on the hub's clock. */
function tick() {
  const now = hubNow().getTime();
  for (const el of document.querySelectorAll("#message-list [data-testid=deadline]")) {
    const { deadline, acknowledged, escalated } = el.dataset;
    let text;
    if (acknowledged) text = `Acknowledged at ${clockTime(acknowledged)}`;
    else if (escalated) text = `Deadline ${clockTime(deadline)} passed`;
    else {
      const left = (Date.parse(deadline) - now) / 1000;
      text = left >= 0 ? `Acknowledge within ${duration(left)}`
        : `Overdue by ${duration(-left)}: escalating`;
      el.classList.toggle("overdue", left < 0);
      el.classList.toggle("soon", left >= 0 && left < 120);
    }
    if (el.textContent !== text) el.textContent = text;
  }
}

function renderStatus() {
  const latest = new Map();
  for (const a of state.alerts) {
    if (a.kind === "unresponsive") latest.set(a.detail.party, a.detail.since);
    if (a.kind === "message_acknowledged") latest.delete(a.detail.by);
  }
  $("lines-status").textContent = [...latest].map(([party, since]) =>
    `${party} is marked unresponsive since ${since}.`).join(" ");
}

async function send(event) {
  event.preventDefault();
  const body = { to: $("message-to").value, level: $("message-line").value,
                 text: $("message-text").value.trim(),
                 ack_within_s: Number($("message-within").value || 0) * 60 };
  try {
    await api("/messages", { method: "POST", body });
    showError($("message-error"), null);
    $("message-text").value = "";
  } catch (error) {
    showError($("message-error"), error);
    return;
  }
  await refreshAll(["messages"]);
}

async function acknowledge(id) {
  try {
    await api(`/messages/${encodeURIComponent(id)}/ack`, { method: "POST" });
    showError($("message-error"), null);
  } catch (error) {
    showError($("message-error"), error);
  }
  await refreshAll(["messages"]);
}
