// Reading what the app exports, for the end-to-end test: the evidence bundle (a zip) and the
// cases CSV, with nothing but Node's own modules.

import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { inflateRawSync } from "node:zlib";

/** The files of a zip archive (stored or deflated entries), by name. */
export function readZip(path) {
  const zip = readFileSync(path);
  // The end of central directory record: its signature, searched from the end (a comment may follow).
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error(`${path} is not a zip archive (no end of central directory)`);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const files = new Map();
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${path}: bad central directory entry ${n}`);
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString("utf8", at + 46, at + 46 + nameLength);
    if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error(`${path}: bad local header of ${name}`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + compressed);
    if (method === 0) files.set(name, Buffer.from(data));
    else if (method === 8) files.set(name, inflateRawSync(data));
    else throw new Error(`${path}: ${name} uses compression method ${method}`);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return files;
}

export function sha256(bytes) {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Checks a `sha256sum`-style manifest against the files: every line's hash matches its file,
 * and every other file of the bundle is listed. Returns the names listed.
 */
export function verifyManifest(files, manifestName) {
  const manifest = files.get(manifestName);
  if (!manifest) throw new Error(`no ${manifestName} in the bundle: ${[...files.keys()].join(", ")}`);
  const listed = [];
  for (const line of manifest.toString("utf8").split("\n").filter(Boolean)) {
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (!m) throw new Error(`${manifestName}: unreadable line ${JSON.stringify(line)}`);
    const [, hash, name] = m;
    const bytes = files.get(name);
    if (!bytes) throw new Error(`${manifestName} lists ${name}, which is not in the bundle`);
    if (sha256(bytes) !== hash) throw new Error(`${name}: its SHA-256 is not the one ${manifestName} gives`);
    listed.push(name);
  }
  const unlisted = [...files.keys()].filter((n) => n !== manifestName && !listed.includes(n));
  if (unlisted.length) throw new Error(`files not in ${manifestName}: ${unlisted.join(", ")}`);
  return listed;
}

/** RFC 4180 CSV (quoted fields with doubled quotes, CRLF or LF line ends) as rows of fields. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || (c === "\r" && text[i + 1] === "\n")) {
      if (c === "\r") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (quoted) throw new Error("the CSV ends inside a quoted field");
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** CSV text as objects keyed by the header line's names. */
export function csvRecords(text) {
  const [header, ...rows] = parseCsv(text);
  return rows.map((r, i) => {
    if (r.length !== header.length) throw new Error(`CSV line ${i + 2} has ${r.length} fields, the header ${header.length}`);
    return Object.fromEntries(header.map((name, j) => [name, r[j]]));
  });
}
