// clock.js — a directory with one file, "time", whose read gives the current time (UTC, ISO 8601) and a newline.
//   cat /n/clock/time   →  2026-11-30T15:27:51.123Z
// API: libs/Cheshire.Styx.Scripting/README.md

function now() {
  return new Date().toISOString() + "\n";
}

function stat(path) {
  if (path === "/") return { type: "dir" };
  if (path === "/time") return { type: "file", length: utf8(now()).length, mode: 0o444 };
  return null; // ENOENT
}

function readdir(path) {
  return ["time"];
}

// The time is taken once per open, so reads at any offset see the same text.
function open(path, mode) {
  if (mode !== "r") throw new Error("EACCES: the clock is read-only");
  return { text: now() };
}

function read(handle, offset, count) {
  return readstr(handle.text, offset, count);
}
