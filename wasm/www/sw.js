// Keeps the page and the engine available with the network off once they have been loaded.
const CACHE = 'sopro-v5';
const FILES = ['./', 'index.html', 'app.js', 'intake.js', 'style.css', '../pkg/sopro.js', '../pkg/sopro_wasm.js',
  '../pkg/sopro_wasm_bg.wasm', '../pkg/khmao-2026.3.bundle.json',
  '../pkg/khmao-2026.4.bundle.json',
  'studio/', 'studio/index.html', 'studio/studio.js', 'studio/studio.css', '../pkg/studio/studio.js',
  '../pkg/studio/sopro_studio.js', '../pkg/studio/sopro_studio_bg.wasm', '../pkg/studio/editor.js', '../pkg/studio/khmao-sample.yaml'];
self.addEventListener('install', (event) => event.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES))));
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (event) => {
  event.respondWith(fetch(event.request).then((response) => {
    const copy = response.clone();
    caches.open(CACHE).then((c) => c.put(event.request, copy));
    return response;
  }).catch(() => caches.match(event.request)));
});
