/** The page's stylesheet (served as /style.css: the page's policy allows no inline styles). */
export const STYLE = `
:root { font: 14px/1.4 system-ui, sans-serif; color: #1d2430; background: #f5f6f8; }
body { margin: 0; padding: 16px 24px; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 20px 0 6px; }
h3 { font-size: 14px; margin: 0 0 6px; }
.muted { color: #667; margin: 0; }
.name { font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
.flow { display: flex; align-items: flex-start; gap: 6px; margin-top: 16px; overflow-x: auto; }
.stage { display: flex; flex-direction: column; gap: 8px; }
.sinks { gap: 10px; }
.sink-row { display: flex; align-items: flex-start; gap: 6px; }
.arrow { font-size: 22px; color: #889; padding-top: 22px; }
.box { background: #fff; border: 1px solid #ccd; border-radius: 6px; padding: 8px 10px; min-width: 170px; max-width: 320px; }
.box.error { border-color: #c33; box-shadow: 0 0 0 1px #c33; }
.box.empty { color: #667; }
.kv { font-size: 13px; white-space: nowrap; }
.k { color: #667; }
.v { font-family: ui-monospace, monospace; }
.state { font-size: 12px; border-radius: 3px; padding: 0 5px; }
.state.ok { background: #ddf2e0; color: #1a5e2a; }
.state.bad { background: #f8d8d8; color: #8a1c1c; }
.reason { font-size: 12px; margin-top: 4px; overflow-wrap: anywhere; }
.reason.bad { color: #8a1c1c; }
.banner { background: #fff3cd; border: 1px solid #e0c060; padding: 6px 10px; margin-top: 10px; overflow-wrap: anywhere; }
.problems li { overflow-wrap: anywhere; }
.ok { color: #1a5e2a; }
table { border-collapse: collapse; background: #fff; font-size: 13px; }
th, td { border: 1px solid #dde; padding: 3px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; max-width: 520px; }
.plot { display: block; margin-top: 6px; overflow: visible; }
.plot .line { fill: none; stroke: #2a6fdb; stroke-width: 1.5; }
.plot .dot { fill: #2a6fdb; }
.plot .axis { stroke: #889; }
.plot .grid { stroke: #dde; stroke-dasharray: 2 3; }
.plot .tick { font-size: 9px; fill: #667; }
.plot .tick.end { text-anchor: end; }
.plot .tick.mid { text-anchor: middle; }
`;
