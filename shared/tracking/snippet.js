/* ReachOps tracking snippet, served verbatim by GET /v1/track/snippet.js.
 * Install: <script async src="https://API/v1/track/snippet.js" data-site-key="rs_pub_..."
 *            data-consent-required="true"></script>
 * With data-consent-required="true" nothing is sent and no id is stored until the page calls
 * reachops.consent(true). API: reachops.track(type, props), reachops.consent(granted),
 * reachops.experiment(id): a Promise of the visitor's variant ({variant_id, variant_index, ...})
 * of a running experiment, after sending its experiment_viewed event; null (show the control)
 * without consent or when the experiment is not running. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.reachops) return;
  var siteKey = script.getAttribute("data-site-key");
  var endpoint = new URL("/v1/track/events", script.src).href + "?site_key=" + encodeURIComponent(siteKey || "");
  var consentRequired = script.getAttribute("data-consent-required") === "true";
  var consented = !consentRequired;
  var waiting = [];
  var SESSION_MS = 30 * 60 * 1000;
  var PARAMS = ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "utm_id",
    "fbclid", "gclid", "ttclid"];

  function randomId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function stored(name, make) {
    try {
      var value = localStorage.getItem(name) || make();
      localStorage.setItem(name, value);
      return value;
    } catch (e) {
      return make();
    }
  }

  function sessionId() {
    var now = Date.now();
    var last = Number(stored("reachops_seen", function () { return "0"; }));
    var id = stored("reachops_session", randomId);
    if (now - last > SESSION_MS) {
      id = randomId();
      try { localStorage.setItem("reachops_session", id); } catch (e) { /* private mode */ }
    }
    try { localStorage.setItem("reachops_seen", String(now)); } catch (e) { /* private mode */ }
    return id;
  }

  function campaign() {
    var query = new URLSearchParams(location.search);
    var found = {};
    PARAMS.forEach(function (name) { if (query.get(name)) found[name] = query.get(name); });
    return found;
  }

  function send(event) {
    var body = JSON.stringify({ site_key: siteKey, events: [event] });
    var blob = new Blob([body], { type: "text/plain" });
    if (navigator.sendBeacon && navigator.sendBeacon(endpoint, blob)) return;
    fetch(endpoint, { method: "POST", body: body, keepalive: true, credentials: "omit",
      headers: { "Content-Type": "text/plain" } }).catch(function () { /* best effort */ });
  }

  function build(type, props) {
    var event = { type: type, event_id: randomId(), occurred_at: new Date().toISOString(),
      visitor_id: stored("reachops_visitor", randomId), session_id: sessionId(),
      url: location.href, referrer: document.referrer || null };
    var utm = campaign();
    Object.keys(utm).forEach(function (k) { event[k] = utm[k]; });
    Object.keys(props || {}).forEach(function (k) { event[k] = props[k]; });
    return event;
  }

  function track(type, props) {
    if (!consented) { waiting.push([type, props]); return; }
    send(build(type, props));
  }

  function experiment(id) {
    if (!consented) return Promise.resolve(null);
    var url = new URL("/v1/experiments/" + encodeURIComponent(id) + "/assign", script.src).href;
    var body = JSON.stringify({ site_key: siteKey, visitor_id: stored("reachops_visitor", randomId) });
    return fetch(url, { method: "POST", body: body, credentials: "omit",
      headers: { "Content-Type": "text/plain" } })
      .then(function (reply) { return reply.ok ? reply.json() : null; })
      .then(function (assigned) {
        if (assigned && assigned.in_experiment) {
          track("experiment_viewed", { experiment_id: id, variation_id: assigned.variant_id });
        }
        return assigned;
      })
      .catch(function () { return null; });
  }

  window.reachops = {
    track: track,
    experiment: experiment,
    consent: function (granted) {
      consented = granted === true;
      var queued = waiting;
      waiting = [];
      if (consented) queued.forEach(function (args) { track(args[0], args[1]); });
    }
  };
  track("page_view");
})();
