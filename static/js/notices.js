// Personal notices for a signed-in attendee: off the waitlist, moved, cancelled, starting soon.
// A progressive enhancement: the agenda page shows the same changes without JavaScript.

const region = document.getElementById("personal-notices");
let attempt = 0;

const WORDS = {
  promoted: (n) => `You're off the waitlist: a seat in “${n.title}” is now yours.`,
  moved: (n) => `“${n.title}” has moved. See your agenda for the new time.`,
  "room-changed": (n) => `“${n.title}” is in a different room now.`,
  cancelled: (n) => `“${n.title}” has been cancelled by the organizers.`,
  restored: (n) => `“${n.title}” is back on the program.`,
  starting: (n) => `“${n.title}” starts in 5 minutes.`,
};

function show(notice) {
  const words = WORDS[notice.kind];
  if (!words) return;
  const item = document.createElement("p");
  item.className = "notice notice-info personal-notice";
  item.textContent = words(notice);
  const close = document.createElement("button");
  close.type = "button";
  close.className = "button-link";
  close.textContent = "Dismiss";
  close.addEventListener("click", () => item.remove());
  item.append(" ", close);
  region.append(item);
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}${region.dataset.socket}`);
  socket.addEventListener("open", () => { attempt = 0; });
  socket.addEventListener("message", (event) => {
    const frame = JSON.parse(event.data);
    if (frame.type === "notice") show(frame);
  });
  socket.addEventListener("close", () => {
    const ceiling = Math.min(60000, 1000 * 2 ** attempt);
    attempt += 1;
    setTimeout(connect, Math.random() * ceiling); // full jitter
  });
}

if (region) connect();
