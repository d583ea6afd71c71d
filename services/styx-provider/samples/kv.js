// kv.js — a key-value store as a flat directory: each file is a key, its content the value.
//   echo hello > /n/kv/greeting    stores "hello\n" under "greeting"
//   cat /n/kv/greeting             reads it back
//   ls /n/kv                       lists the keys
//   rm /n/kv/greeting              removes it
// Values live in the script's memory: a reload of the file or a restart starts empty.
// API: libs/Cheshire.Styx.Scripting/README.md

const values = new Map(); // key → Uint8Array

function key(path) {
  const name = path.slice(1);
  if (!values.has(name)) throw new Error("ENOENT: no key " + name);
  return name;
}

function stat(path) {
  if (path === "/") return { type: "dir" };
  return { type: "file", length: values.get(key(path)).length, mode: 0o644 };
}

function readdir(path) {
  return [...values.keys()];
}

function create(path, type) {
  if (type !== "file") throw new Error("EPERM: keys are files");
  const name = path.slice(1);
  if (values.has(name)) throw new Error("EEXIST: key " + name + " exists");
  values.set(name, new Uint8Array(0));
}

function open(path, mode) {
  const name = key(path);
  if (mode.includes("t")) values.set(name, new Uint8Array(0));
  return { name };
}

function read(handle, offset, count) {
  return readstr(values.get(handle.name) ?? new Uint8Array(0), offset, count);
}

// Writes land at their offset, as in any file; a write past the end extends the value.
function write(handle, offset, text, bytes) {
  const old = values.get(handle.name);
  if (old === undefined) throw new Error("ENOENT: key " + handle.name + " was removed");
  const value = new Uint8Array(Math.max(old.length, offset + bytes.length));
  value.set(old);
  value.set(bytes, offset);
  values.set(handle.name, value);
  return bytes.length;
}

function truncate(path, length) {
  const name = key(path);
  const old = values.get(name);
  const value = new Uint8Array(length);
  value.set(old.subarray(0, Math.min(length, old.length)));
  values.set(name, value);
}

function remove(path) {
  values.delete(key(path));
}
