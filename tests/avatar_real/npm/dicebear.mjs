// Prints cartoon avatars made by DiceBear's styles (designs by the artists named in each
// package's LICENSE; see ../README.md) as JSON lines {"name", "svg"} for
// tests/avatar_real_eval.rs. Deterministic: fixed styles, fixed seeds, versions pinned by
// package-lock.json. No network, no files written.
import { createAvatar } from '@dicebear/core';

const STYLES = [
  'adventurer', 'avataaars', 'big-smile', 'bottts', 'lorelei', 'micah',
  'notionists', 'open-peeps', 'personas', 'thumbs',
];
// fun-emoji is left out: its avatars differ by the eyes and mouth on one face, which makes
// near-identical "different people" (OpenMoji covers emoji-style avatars).
// DiceBear's own documentation palette: avatars are shown on a pastel disc or square.
const BACKGROUNDS = ['b6e3f4', 'c0aede', 'd1d4f9', 'ffd5dc', 'ffdfbf'];
const PER_STYLE = Number(process.argv[2] ?? 4);

for (const name of STYLES) {
  const style = await import(`@dicebear/${name}`);
  for (let i = 0; i < PER_STYLE; i++) {
    const seed = `doppelwatch-${name}-${i}`;
    const svg = createAvatar(style, {
      seed,
      backgroundColor: BACKGROUNDS,
      backgroundType: ['solid'],
    }).toString();
    process.stdout.write(JSON.stringify({ name: `dicebear-${name}-${i}`, svg }) + '\n');
  }
}
