// The package's other entries in its `exports` map: a rule-set bundle and package.json, as JSON
// imports; and loading the module from its bytes (as in Node, where fetch cannot read files).
import bundle from 'sopro-wasm/khmao-2026.3.bundle.json' with { type: 'json' };
import manifest from 'sopro-wasm/package.json' with { type: 'json' };
import { load } from 'sopro-wasm';

export const bundleText: string = JSON.stringify(bundle);
export const version: string = manifest.version;

export async function loadFromBytes(bytes: ArrayBuffer | Uint8Array): Promise<boolean> {
  const loaded = await load(bundleText, bytes, { drafts: false });
  return loaded.ok !== undefined;
}
