// Starts the embed widget (embed.html): loads its WebAssembly bundle, whose start function mounts
// the widget. A file, not an inline script, so a strict Content-Security-Policy applies.
import init from './embed-widget.js';

init();
