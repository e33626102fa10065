/**
 * The page itself: a shell that loads the stylesheet and the client module; the client renders
 * everything from `/api/status` and `/api/history`. Nothing comes from outside the ui process.
 */
export const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sluice status</title>
<link rel="stylesheet" href="/style.css">
<script type="module" src="/js/ui/client.ts"></script>
</head>
<body>
<main id="app"><p>loading…</p></main>
<noscript>This page needs JavaScript; <a href="/api/status">/api/status</a> has the same data as JSON.</noscript>
</body>
</html>
`;

/**
 * No inline script or style, nothing from other origins, no framing: a name that slipped past
 * escaping still could not run anything.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
