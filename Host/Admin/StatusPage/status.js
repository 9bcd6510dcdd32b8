// The status page of the admin API (served at /, see docs/admin-api.md).
//
// It reads the JSON the CLI reads (GET /agents, GET /readyz) every POLL_MS and
// draws it. The only figures computed here are rates: records/s from successive
// reports' cumulative counters, timed by the reports' own `at` (the host's clock).
// Every value from the host goes into the page as text (textContent, text
// nodes), never as markup: agent names, errors and file names come from
// plugins, records and the file system.
'use strict';

(function () {
  const POLL_MS = 2000;
  /** How much history the rate chart shows. */
  const WINDOW_MS = 5 * 60 * 1000;
  /** The rate shown as a number is averaged over this long. */
  const RATE_SPAN_MS = 10 * 1000;
  const TOKEN_KEY = 'sluice.admin.token';
  const SVG = 'http://www.w3.org/2000/svg';

  /** Samples per agent: [{t: ms (host clock), handled: processed + dead_lettered}], oldest first. */
  const samples = new Map();
  let polls = 0;
  let timer = null;

  const $ = (id) => document.getElementById(id);

  // ---- the token -----------------------------------------------------------

  // A token handed over in the address (#token=...) is moved into this tab's
  // session storage and taken out of the address (and the history entry).
  function takeTokenFromAddress() {
    const match = /^#token=(.+)$/.exec(window.location.hash);
    if (!match) return;
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }

  function authorization() {
    const token = sessionStorage.getItem(TOKEN_KEY);
    return token ? { Authorization: 'Bearer ' + token } : {};
  }

  function askForToken(message) {
    stopPolling();
    $('sign-in-message').textContent = message;
    $('sign-in').hidden = false;
    $('agents').replaceChildren();
    $('refused-section').hidden = true;
    $('reloads-section').hidden = true;
    $('readiness').textContent = 'sign in';
    $('readiness').className = 'readiness';
    document.documentElement.dataset.signIn = 'true';
    $('token').focus();
  }

  function signIn(event) {
    event.preventDefault();
    const token = $('token').value.trim();
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    $('token').value = '';
    $('sign-in').hidden = true;
    delete document.documentElement.dataset.signIn;
    poll();
  }

  // ---- polling -------------------------------------------------------------

  function stopPolling() {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  }

  function schedule() {
    stopPolling();
    timer = setTimeout(poll, POLL_MS);
  }

  async function getJSON(path) {
    const response = await fetch(path, { headers: authorization(), cache: 'no-store', credentials: 'omit' });
    let body = null;
    try { body = await response.json(); } catch (_) { body = null; }
    return { status: response.status, ok: response.ok, body };
  }

  async function poll() {
    try {
      const agents = await getJSON('/agents');
      if (agents.status === 401) {
        const hadToken = sessionStorage.getItem(TOKEN_KEY) !== null;
        sessionStorage.removeItem(TOKEN_KEY);
        askForToken(hadToken ? 'The token was not accepted; enter the admin token again.'
          : 'This admin API requires its token.');
        return;
      }
      if (!agents.ok || !agents.body) {
        throw new Error('GET /agents answered ' + agents.status
          + (agents.body && agents.body.error ? ': ' + agents.body.error : ''));
      }
      const readiness = await getJSON('/readyz');
      polls += 1;
      render(agents.body, readiness.body);
      $('problem').hidden = true;
      document.documentElement.dataset.polls = String(polls);
      document.documentElement.dataset.ready = 'true';
    } catch (error) {
      $('problem').textContent = 'Cannot read the host: ' + error.message + ' (trying again)';
      $('problem').hidden = false;
    }
    schedule();
  }

  // ---- building the DOM (text only) ----------------------------------------

  /** An element with attributes and children; strings become text nodes. */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value !== null && value !== undefined) node.setAttribute(name, String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return node;
  }

  function svg(tag, attributes) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    return node;
  }

  function integer(value) {
    return value === null || value === undefined ? '–' : String(value);
  }

  function rateText(rate) {
    if (rate === null) return '–';
    return rate >= 100 ? rate.toFixed(0) : rate >= 10 ? rate.toFixed(1) : rate.toFixed(2);
  }

  function time(iso) {
    const date = new Date(iso);
    return isNaN(date) ? String(iso) : date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  }

  // ---- rates ----------------------------------------------------------------

  function remember(agent, at) {
    const handled = agent.processed + agent.dead_lettered;
    let ring = samples.get(agent.name) || [];
    const last = ring[ring.length - 1];
    // Counters start again when an agent is restarted: so does its history.
    if (last && handled < last.handled) ring = [];
    if (!last || at > last.t) ring.push({ t: at, handled });
    while (ring.length > 2 && ring[0].t < at - WINDOW_MS) ring.shift();
    samples.set(agent.name, ring);
    return ring;
  }

  /** Records/s over the last RATE_SPAN_MS; null until two samples exist. */
  function currentRate(ring) {
    if (ring.length < 2) return null;
    const newest = ring[ring.length - 1];
    let oldest = ring[ring.length - 2];
    for (const sample of ring) {
      if (sample.t >= newest.t - RATE_SPAN_MS) { oldest = sample; break; }
    }
    if (oldest === newest) oldest = ring[ring.length - 2];
    return (newest.handled - oldest.handled) * 1000 / (newest.t - oldest.t);
  }

  /** Records/s between successive samples: [{t, rate}]. */
  function ratePoints(ring) {
    const points = [];
    for (let i = 1; i < ring.length; i++) {
      const span = ring[i].t - ring[i - 1].t;
      points.push({ t: ring[i].t, rate: (ring[i].handled - ring[i - 1].handled) * 1000 / span });
    }
    return points;
  }

  function spanText(ms) {
    const seconds = Math.round(ms / 1000);
    return seconds < 120 ? seconds + ' s' : Math.round(seconds / 60) + ' min';
  }

  /** The rates of the history as an area chart; the time axis spans the
   *  history kept (at most WINDOW_MS), so a young page still fills it. */
  function chart(ring) {
    const width = 300, height = 80;
    const points = ratePoints(ring);
    const figure = el('figure', { class: 'chart', 'data-field': 'chart' });
    const picture = svg('svg', { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none', role: 'img' });
    const title = svg('title', {});
    title.textContent = 'records/s';
    picture.append(title);
    for (const y of [height * 0.25, height * 0.5, height * 0.75]) {
      picture.append(svg('line', { class: 'grid', x1: 0, x2: width, y1: y, y2: y }));
    }
    const peak = points.length ? Math.max(...points.map((point) => point.rate)) : null;
    const span = ring.length > 1 ? ring[ring.length - 1].t - ring[0].t : 0;
    if (points.length > 0 && span > 0) {
      const start = ring[0].t;
      const scale = Math.max(peak, 1);
      const x = (t) => (width * (t - start) / span).toFixed(1);
      const y = (rate) => (height - 2 - (height - 6) * rate / scale).toFixed(1);
      // Each interval's rate holds from its first sample to its last: steps.
      const line = [];
      for (let i = 0; i < points.length; i++) {
        line.push(`${x(ring[i].t)},${y(points[i].rate)}`, `${x(points[i].t)},${y(points[i].rate)}`);
      }
      picture.append(svg('polygon', { class: 'area', points: `0,${height} ${line.join(' ')} ${width},${height}` }));
      picture.append(svg('polyline', { class: 'line', points: line.join(' ') }));
    }
    figure.append(picture, el('figcaption', {},
      el('span', {}, span > 0 ? 'records/s over the last ' + spanText(span) : 'records/s: the chart fills while the page is open'),
      el('span', {}, 'peak ' + rateText(peak))));
    return figure;
  }

  // ---- the report -----------------------------------------------------------

  function figure(label, field, value, alert) {
    return [el('dt', {}, label), el('dd', { 'data-field': field, class: alert ? 'alert' : null }, value)];
  }

  function agentCard(agent, reloads, at) {
    const ring = remember(agent, at);
    const card = el('section', { class: 'agent', 'data-agent': agent.name });
    // An agent named otherwise than its plugin (a sidecar with plugin:) shows the plugin it runs.
    const plugin = agent.plugin && agent.plugin !== agent.name
      ? [el('span', { class: 'version', 'data-field': 'plugin', title: 'the plugin this agent runs' }, agent.plugin)]
      : [];
    card.append(el('div', { class: 'agent-head' },
      el('h2', { 'data-field': 'name' }, agent.name),
      ...plugin,
      el('span', { class: 'version', 'data-field': 'version' }, 'v' + agent.version),
      el('span', { class: 'state state-' + agent.state, 'data-field': 'state' }, agent.state),
      el('span', { class: 'sha mono', title: 'SHA-256 of the plugin file: ' + agent.sha256 }, agent.sha256.slice(0, 12))));
    if (agent.state_reason) {
      card.append(el('p', { class: 'state-reason', 'data-field': 'state_reason' }, agent.state_reason));
    }
    const figures = el('dl', { class: 'figures' },
      ...figure('records/s', 'rate', rateText(currentRate(ring))),
      ...figure('processed', 'processed', integer(agent.processed)),
      ...figure('in flight', 'in_flight', integer(agent.in_flight)),
      ...figure('consumer lag', 'lag', integer(agent.lag)),
      ...figure('retried', 'retried', integer(agent.retried), agent.retried > 0),
      ...figure('dead-lettered', 'dead_lettered', integer(agent.dead_lettered), agent.dead_lettered > 0));
    card.append(el('div', { class: 'agent-body' }, figures, chart(ring)));

    card.append(el('p', { class: 'section-label' }, 'partitions (' + agent.partitions.length + ')'));
    const partitions = el('ul', { class: 'partitions', 'data-field': 'partitions' });
    for (const partition of agent.partitions) {
      partitions.append(el('li', { class: 'mono', title: 'consumer lag of this partition' },
        partition.topic + '/' + partition.partition + (partition.lag === null || partition.lag === undefined
          ? '' : ' · lag ' + partition.lag)));
    }
    if (agent.partitions.length === 0) partitions.append(el('li', {}, 'none assigned'));
    card.append(partitions);

    if (agent.last_error) {
      card.append(el('p', { class: 'section-label' }, 'last error'),
        el('p', { class: 'last-error mono', 'data-field': 'last_error' }, agent.last_error));
    }
    if (agent.refusal) {
      card.append(el('p', { class: 'section-label' }, 'plugin file refused (the previous version keeps running)'),
        el('p', { class: 'last-error', 'data-field': 'refusal' }, agent.refusal.reason + ': ' + agent.refusal.detail));
    }
    // Restore progress: one bar per partition whose restore from the
    // changelogs is under way (agents with state tables); the figures are the
    // host's, never made up here, and a finished restore shows nothing.
    for (const restore of (agent.restores || []).filter((r) => !r.done)) card.append(restoreProgress(restore));

    const history = reloads.filter((reload) => reload.agent === agent.name).slice(-5).reverse();
    if (history.length > 0) {
      card.append(el('p', { class: 'section-label' }, 'reloads'));
      const list = el('ol', { class: 'events', 'data-field': 'reloads' });
      for (const reload of history) list.append(reloadItem(reload, false));
      card.append(list);
    }
    return card;
  }

  function restoreProgress(restore) {
    const box = el('div', { class: 'restore', 'data-field': 'restore' },
      el('p', { class: 'section-label' }, 'restoring ' + restore.topic + ' partition ' + restore.partition));
    const done = Number(restore.restored), total = Number(restore.total);
    if (Number.isFinite(done) && Number.isFinite(total) && total > 0) {
      box.append(el('progress', { max: total, value: Math.min(done, total) }), ' ' + done + ' of ' + total);
    } else {
      box.append(el('p', { class: 'mono' }, JSON.stringify(restore)));
    }
    return box;
  }

  function reloadItem(reload, withAgent) {
    const item = el('li', {}, el('span', { class: 'when mono' }, time(reload.at)), ' ');
    if (withAgent) item.append(el('strong', {}, reload.agent), ' ');
    item.append(el('span', { class: 'outcome-' + reload.outcome }, reload.outcome));
    if (reload.pause_ms !== null && reload.pause_ms !== undefined) {
      item.append(' (dispatch paused ' + Number(reload.pause_ms).toFixed(1) + ' ms)');
    }
    if (reload.reason) item.append(': ', reload.reason);
    item.append(' ', el('span', { class: 'when mono' }, reload.file));
    return item;
  }

  function render(report, readiness) {
    const parsed = Date.parse(report.at);
    const at = Number.isFinite(parsed) ? parsed : Date.now();

    const state = $('readiness');
    if (readiness && readiness.ready) {
      state.textContent = 'ready';
      state.className = 'readiness ready';
    } else {
      state.textContent = 'not ready' + (readiness && readiness.reasons && readiness.reasons.length
        ? ': ' + readiness.reasons.join('; ') : '');
      state.className = 'readiness not-ready';
    }
    $('updated').textContent = report.agents.length + (report.agents.length === 1 ? ' agent' : ' agents')
      + ' · report of ' + time(report.at || new Date(at).toISOString());

    const agents = report.agents.map((agent) => agentCard(agent, report.reloads, at));
    for (const name of [...samples.keys()]) {
      if (!report.agents.some((agent) => agent.name === name)) samples.delete(name);
    }
    if (agents.length === 0) agents.push(el('p', { class: 'empty' }, 'No agents run on this host.'));
    $('agents').replaceChildren(...agents);

    $('refused-section').hidden = report.refused.length === 0;
    $('refused').replaceChildren(...report.refused.map((refusal) => el('li', {},
      el('span', { class: 'when mono' }, time(refusal.at)), ' ', el('strong', { class: 'mono' }, refusal.file), ' ',
      el('span', { class: 'outcome-refused' }, refusal.reason), ': ', refusal.detail)));

    $('reloads-section').hidden = report.reloads.length === 0;
    $('reloads').replaceChildren(...report.reloads.slice(-20).reverse().map((reload) => reloadItem(reload, true)));
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('sign-in').addEventListener('submit', signIn);
    takeTokenFromAddress();
    poll();
  });
})();
