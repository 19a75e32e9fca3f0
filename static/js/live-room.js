// Live room client: one WebSocket, resumed by last_event_id after any disconnect.
// No build step; every piece of text from the server is set with textContent (never HTML).

const root = document.getElementById("live-room");
const moderator = root.dataset.moderator === "yes";
const me = Number(root.dataset.user);
const $ = (id) => document.getElementById(id);

let socket = null;
let lastEventId = null;
let attempt = 0;
const questions = new Map();
const myVotes = new Set();
let poll = null;
let myPollVote = null;

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text) node.textContent = text;
  return node;
}

function send(frame) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  else showError("Not connected; your message was not sent.");
}

function showError(message) {
  $("room-error").textContent = message;
}

// ---- connection with backoff and jitter --------------------------------------------------

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const resume = lastEventId === null ? "" : `?last_event_id=${lastEventId}`;
  socket = new WebSocket(`${scheme}://${location.host}${root.dataset.socket}${resume}`);
  $("connection").textContent = "Connecting…";
  socket.addEventListener("open", () => {
    attempt = 0;
    $("connection").textContent = "Connected";
  });
  socket.addEventListener("message", (event) => handle(JSON.parse(event.data)));
  socket.addEventListener("close", (event) => {
    $("connection").textContent = `Disconnected (${event.code}); reconnecting…`;
    // Exponential backoff with full jitter: thousands of clients must not return at once.
    const ceiling = Math.min(30000, 500 * 2 ** attempt);
    attempt += 1;
    setTimeout(connect, Math.random() * ceiling);
  });
}

// ---- frames ------------------------------------------------------------------------------

function handle(frame) {
  if (typeof frame.id === "number") {
    if (lastEventId !== null && frame.id <= lastEventId) return; // already seen
    lastEventId = frame.id;
  }
  switch (frame.type) {
    case "snapshot": return applySnapshot(frame);
    case "state": return setState(frame.state);
    case "presence": return setPresence(frame);
    case "chat": return addChat(frame);
    case "chat_removed": return removeChat(frame.event_id);
    case "question": return upsertQuestion(frame.question);
    case "question_updated": return upsertQuestion(frame.question);
    case "question_votes": return setVotes(frame.question_id, frame.votes);
    case "poll_opened": case "poll_closed": case "poll_results": return setPoll(frame.poll);
    case "reactions": return showReactions(frame.counts);
    case "muted": if (frame.user_id === me) showError("A moderator has muted you in this room."); return;
    case "occupancy": return setTables(frame.tables);
    case "breakout": return setBreakout(frame);
    case "activity_ended": return endBreakout();
    case "group_chat": return addGroupChat(frame);
    case "error": return showError(frame.message);
    default: return;
  }
}

function applySnapshot(snapshot) {
  if (snapshot.now) clockSkew = Date.now() - new Date(snapshot.now).getTime();
  lastEventId = snapshot.last_event_id;
  setState(snapshot.state);
  setPresence(snapshot.presence || { count: 1 });
  $("chat").replaceChildren();
  snapshot.chat.forEach(addChat);
  questions.clear();
  myVotes.clear();
  snapshot.questions.forEach((q) => { if (q.upvoted) myVotes.add(q.id); questions.set(q.id, q); });
  renderQuestions();
  myPollVote = snapshot.poll ? snapshot.poll.my_vote : null;
  setPoll(snapshot.poll);
  myTable = snapshot.my_table;
  if (snapshot.tables) setTables(snapshot.tables);
  if (snapshot.activity) setBreakout(snapshot.activity); else endBreakout();
}

// ---- round tables, breakouts ----------------------------------------------------------------

let myTable = null;
let countdown = null;

function setTables(tables) {
  $("tables-panel").hidden = false;
  const list = $("tables");
  list.replaceChildren();
  for (const table of tables) {
    const item = el("li", { "data-table": table.code, class: table.code === myTable ? "is-mine" : "" });
    item.append(el("strong", {}, table.title), " ",
      el("span", { class: "table-count" }, `${table.taken} of ${table.seats} seats`));
    if (table.code === myTable) {
      const room = el("a", { href: root.dataset.socket.replace("/ws/rooms/", "/live/").replace(/[^/]+$/, encodeURIComponent(table.code)), class: "button button-small" }, "Go to this table's room");
      const leave = el("button", { type: "button", class: "button button-small button-secondary" }, "Leave table");
      leave.addEventListener("click", () => { myTable = null; send({ type: "leave_table" }); });
      item.append(" ", room, " ", leave);
    } else {
      const join = el("button", { type: "button", class: "button button-small", "aria-label": `Sit at ${table.title}` },
        table.full ? "Full" : "Sit here");
      join.disabled = table.full;
      join.addEventListener("click", () => { myTable = table.code; send({ type: "join_table", code: table.code }); });
      item.append(" ", join);
    }
    list.append(item);
  }
  $("my-table").textContent = myTable ? "" : "You are not at a table yet.";
}

function setBreakout(breakout) {
  if (breakout.at) clockSkew = Date.now() - new Date(breakout.at).getTime();
  const panel = $("breakout-panel");
  panel.hidden = false;
  const mine = breakout.groups.find((group) => group.some((p) => p.id === me));
  const members = $("breakout-members");
  members.replaceChildren();
  if (mine) for (const person of mine) if (person.id !== me) members.append(el("li", {}, person.name));
  const label = breakout.activity === "rotation" ? "Speed mentoring" : "Mingle";
  const rounds = breakout.rounds ? ` of ${breakout.rounds}` : "";
  const ends = new Date(breakout.ends_at);
  clearInterval(countdown);
  const tick = () => {
    const serverNow = Date.now() - clockSkew;
    const left = Math.max(0, Math.round((ends - serverNow) / 1000));
    const waiting = mine ? "" : " You sit this round out; you'll be paired next round.";
    $("breakout-status").textContent =
      `${label}: round ${breakout.round}${rounds}, ${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")} left.${waiting}`;
  };
  tick();
  countdown = setInterval(tick, 1000);
  $("group-chat").replaceChildren();
}

function endBreakout() {
  clearInterval(countdown);
  $("breakout-panel").hidden = true;
}

function addGroupChat(message) {
  const item = el("li");
  item.append(el("strong", {}, message.user.name), document.createTextNode(" "), el("span", {}, message.text));
  $("group-chat").append(item);
}

// The server's clock may differ from the browser's (and demos run in the past): measure it.
let clockSkew = 0;

function setState(state) {
  root.dataset.state = state;
  $("room-state").textContent = state.charAt(0).toUpperCase() + state.slice(1);
  const stage = $("stage");
  stage.replaceChildren();
  if (state === "live" && root.dataset.stream) {
    const frame = el("iframe", { src: root.dataset.stream, title: "Live stream", class: "stream-embed",
      allow: "autoplay; fullscreen; picture-in-picture", allowfullscreen: "", loading: "lazy" });
    const link = el("a", { href: root.dataset.stream, class: "button button-small", rel: "noopener" }, "Open the stream in a new tab");
    link.target = "_blank";
    stage.append(frame, link);
  } else if (state === "ended") {
    stage.append(el("p", {}, "This session has ended."));
    if (root.dataset.recording) {
      stage.append(el("a", { href: root.dataset.recording, class: "button", rel: "noopener" }, "Watch the recording"));
    }
  } else {
    stage.append(el("p", { class: "hint" }, state === "lobby"
      ? "The lobby is open: chat and questions are welcome before the start."
      : "The room opens 15 minutes before the session starts."));
  }
}

function setPresence(presence) {
  const names = presence.people ? `: ${presence.people.join(", ")}` : "";
  $("presence").textContent = `${presence.count} here`;
  $("presence").title = names ? names.slice(2) : "";
}

function addChat(message) {
  const item = el("li", { "data-event": String(message.id) });
  if (message.removed) {
    item.append(el("em", {}, "Message removed by a moderator"));
  } else {
    item.append(el("strong", {}, message.user.name), document.createTextNode(" "), el("span", {}, message.text));
    if (moderator) {
      const remove = el("button", { type: "button", class: "button-link" }, "Remove");
      remove.addEventListener("click", () => send({ type: "remove", event_id: message.id }));
      const mute = el("button", { type: "button", class: "button-link" }, "Mute");
      mute.addEventListener("click", () => send({ type: "mute", user_id: message.user.id }));
      const tools = el("span", { class: "chat-tools" });
      tools.append(remove, " ", mute);
      item.append(" ", tools);
    }
  }
  $("chat").append(item);
  item.scrollIntoView({ block: "nearest" });
}

function removeChat(eventId) {
  const item = document.querySelector(`#chat [data-event="${eventId}"]`);
  if (item) item.replaceChildren(el("em", {}, "Message removed by a moderator"));
}

function upsertQuestion(question) {
  questions.set(question.id, { ...questions.get(question.id), ...question });
  renderQuestions();
}

function setVotes(questionId, votes) {
  const question = questions.get(questionId);
  if (question) { question.votes = votes; renderQuestions(); }
}

function renderQuestions() {
  const ordered = [...questions.values()]
    .filter((q) => !q.dismissed)
    .sort((a, b) => (b.pinned - a.pinned) || (b.votes - a.votes) || a.at.localeCompare(b.at) || a.id - b.id);
  const list = $("questions");
  list.replaceChildren();
  for (const q of ordered) {
    const item = el("li", { "data-question": String(q.id), class: q.answered ? "answered" : "" });
    const voted = myVotes.has(q.id);
    const vote = el("button", { type: "button", class: "vote", "aria-pressed": String(voted),
      "aria-label": `${voted ? "Take back your upvote" : "Upvote"}: ${q.text}` }, `▲ ${q.votes}`);
    vote.addEventListener("click", () => {
      send({ type: voted ? "unvote" : "upvote", question_id: q.id });
      if (voted) myVotes.delete(q.id); else myVotes.add(q.id);
    });
    item.append(vote, " ", el("span", { class: "question-text" }, q.text), " ", el("small", {}, `— ${q.by}`));
    if (q.pinned) item.append(" ", el("span", { class: "badge badge-plain" }, "Pinned"));
    if (q.answered) item.append(" ", el("span", { class: "badge badge-confirmed" }, "Answered"));
    if (moderator) {
      for (const [label, frame] of [
        [q.pinned ? "Unpin" : "Pin", { type: "pin", question_id: q.id, pinned: !q.pinned }],
        ["Answered", { type: "answer", question_id: q.id }],
        ["Dismiss", { type: "dismiss", question_id: q.id }],
      ]) {
        const button = el("button", { type: "button", class: "button-link" }, label);
        button.addEventListener("click", () => send(frame));
        item.append(" ", button);
      }
    }
    list.append(item);
  }
}

function setPoll(current) {
  poll = current;
  const box = $("poll");
  box.replaceChildren();
  if (!poll) { box.append(el("p", { class: "hint" }, "No poll is open.")); return; }
  const total = poll.results.reduce((a, b) => a + b, 0);
  box.append(el("p", { class: "poll-question" }, poll.question + (poll.open ? "" : " (closed)")));
  const list = el("ul", { class: "poll-options" });
  poll.options.forEach((option, index) => {
    const share = total ? Math.round((100 * poll.results[index]) / total) : 0;
    const item = el("li");
    const button = el("button", { type: "button", class: "button button-small button-secondary",
      "aria-pressed": String(myPollVote === index) }, option);
    button.disabled = !poll.open;
    button.addEventListener("click", () => { myPollVote = index; send({ type: "vote", poll_id: poll.id, option: index }); });
    const meter = el("meter", { min: "0", max: String(Math.max(total, 1)), value: String(poll.results[index]) });
    item.append(button, " ", meter, " ", el("span", {}, `${poll.results[index]} (${share}%)`));
    list.append(item);
  });
  box.append(list);
  if (moderator && poll.open) {
    const close = el("button", { type: "button", class: "button button-small" }, "Close poll");
    close.addEventListener("click", () => send({ type: "poll_close", poll_id: poll.id }));
    box.append(close);
  }
}

function showReactions(counts) {
  $("reaction-counts").textContent = Object.entries(counts).map(([e, n]) => `${e} ${n}`).join("  ");
}

// ---- forms -------------------------------------------------------------------------------

$("chat-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("chat-text");
  if (input.value.trim()) send({ type: "chat", text: input.value });
  input.value = "";
});

$("ask").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("ask-text");
  if (input.value.trim()) send({ type: "ask", text: input.value });
  input.value = "";
});

for (const button of document.querySelectorAll(".reaction")) {
  button.addEventListener("click", () => send({ type: "react", emoji: button.dataset.emoji }));
}

$("group-chat-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("group-chat-text");
  if (input.value.trim()) send({ type: "group_chat", text: input.value });
  input.value = "";
});

const rotationForm = $("rotation-start");
if (rotationForm) {
  rotationForm.addEventListener("submit", (event) => {
    event.preventDefault();
    send({ type: "rotation_start", rounds: Number($("rotation-rounds").value), minutes: Number($("rotation-minutes").value) });
  });
  $("mingle-start").addEventListener("submit", (event) => {
    event.preventDefault();
    send({ type: "mingle_start", minutes: Number($("mingle-minutes").value) });
  });
  $("mingle-shuffle").addEventListener("click", () => send({ type: "mingle_shuffle" }));
  $("activity-stop").addEventListener("click", () => send({ type: "activity_stop" }));
}

const pollForm = $("poll-open");
if (pollForm) {
  pollForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const options = $("poll-options").value.split("\n").map((o) => o.trim()).filter(Boolean);
    send({ type: "poll_open", question: $("poll-question").value, options });
    pollForm.reset();
  });
}

connect();
