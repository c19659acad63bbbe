/* solewatch Live page: draws the published live frames (dashboard/live/bus.py) on a canvas.
 *
 * Started by the page's clientside callback with the static data of
 * dashboard/live/geometry.py (outline raster, interpolation weights, sensors, sites, colour
 * table, kPa range, temperature threshold, ids). One loop per page: it asks for
 * GET /live/frame?after=V&wait=1 (held by the server until a newer frame exists; 204: none
 * came within 1 s) with at most one request in flight, and draws at
 * most once per animation frame, only when a new frame came. It pauses while the page is
 * hidden and stops when its canvas is gone (the user left the page). No Plotly, no server
 * callback. Dash serves every file of dashboard/assets on every page: nothing runs until
 * start() is called.
 */
(function () {
  "use strict";

  var FPS_WINDOW_MS = 2000;
  var START_GRACE_MS = 3000;
  var RETRY_MS = 4;          // after a "nothing new" answer
  var WAIT_S = 1;            // how long the server may hold a request for a newer frame
  var state = null;  // the running loop, or null

  function fmt(value, digits) {
    if (value === null || value === undefined || !isFinite(value)) { return null; }
    var text = Number(value).toFixed(digits);
    return Number(text) === 0 ? Number(0).toFixed(digits) : text;  // never "-0.0"
  }

  function mmss(seconds) {
    // the same format as dashboard/live/present.py mmss: 00:05, 09:59, 1:00:00
    var s = Math.max(0, Math.floor(seconds));
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
    var two = function (x) { return String(x).padStart(2, "0"); };
    return h ? h + ":" + two(m) + ":" + two(s % 60) : two(m) + ":" + two(s % 60);
  }

  function decodeWeights(text, nSensors) {
    var bin = atob(text);
    var n = bin.length >> 1;
    var out = new Float32Array(n);
    for (var i = 0; i < n; i++) {
      out[i] = (bin.charCodeAt(2 * i) | (bin.charCodeAt(2 * i + 1) << 8)) / 65535;
    }
    if (n % nSensors !== 0) { throw new Error("live: weights are not whole rows of sensors"); }
    return out;
  }

  function prepare(geo) {
    var feet = {};
    ["left", "right"].forEach(function (foot) {
      var f = geo.feet[foot];
      var img = document.createElement("canvas");
      img.width = f.cols;
      img.height = f.rows;
      feet[foot] = {
        geo: f, weights: decodeWeights(f.weights_u16, geo.n_sensors),
        cells: Int32Array.from(f.cells), image: img, ctx: img.getContext("2d"),
        pixels: new ImageData(f.cols, f.rows)
      };
    });
    return {geo: geo, feet: feet, lut: Uint8Array.from(geo.lut), hatch: null};
  }

  // -- the loop ---------------------------------------------------------------------------

  function start(geo) {
    if (!geo || !geo.ids) { return window.dash_clientside.no_update; }
    if (state && state.running) {
      if (state.geo !== geo) { state.prepared = prepare(geo); state.geo = geo; }
      return window.dash_clientside.no_update;
    }
    state = {
      running: true, geo: geo, prepared: prepare(geo), ids: geo.ids,
      version: 0, inflight: false, timer: null, frame: null, fresh: false,
      frames: 0, versions: 0, requests: 0, draws: [], seen: false,
      drawMs: 0, fetchMs: 0, started: performance.now()
    };
    document.addEventListener("visibilitychange", onVisibility);
    window.requestAnimationFrame(tick);
    fetchFrame(state);
    return Date.now();
  }

  function stop() {
    if (state) {
      state.running = false;
      if (state.timer !== null) { clearTimeout(state.timer); }
    }
    document.removeEventListener("visibilitychange", onVisibility);
    state = null;
  }

  function onVisibility() {
    // Hidden: requestAnimationFrame stops by itself and no request is made; visible again:
    // ask at once.
    if (state && document.visibilityState === "visible") { askIn(state, 0); }
  }

  function tick(now) {
    var s = state;
    if (!s || !s.running) { return; }
    var canvas = document.getElementById(s.ids.canvas);
    if (!canvas) {
      // The page was left (Dash replaced the layout): stop. Right after start() the canvas
      // may not be in the document yet: wait for it a little.
      if (s.seen || now - s.started > START_GRACE_MS) { stop(); return; }
      window.requestAnimationFrame(tick);
      return;
    }
    s.seen = true;
    if (s.fresh && document.visibilityState !== "hidden") {
      s.fresh = false;
      var t0 = performance.now();
      draw(canvas, s.frame, s.prepared);
      s.drawMs = 0.9 * s.drawMs + 0.1 * (performance.now() - t0);
      s.frames += 1;
      s.draws.push(now);
      while (s.draws.length && s.draws[0] < now - FPS_WINDOW_MS) { s.draws.shift(); }
      showCounter(s);
    }
    window.requestAnimationFrame(tick);
  }

  // -- asking for frames: one long-polling request in flight (the server answers it --
  // -- when a frame newer than ours is published, or with 204 after WAIT_S) ----------

  function askIn(s, delayMs) {
    if (s.timer !== null) { clearTimeout(s.timer); }
    s.timer = setTimeout(function () {
      s.timer = null;
      if (state === s && s.running && !s.inflight && document.visibilityState !== "hidden") {
        fetchFrame(s);
      }
    }, Math.max(0, Math.min(1000, delayMs)));
  }

  function fetchFrame(s) {
    if (s.inflight) { return; }
    s.inflight = true;
    var asked = performance.now();
    fetch(s.geo.route + "?after=" + s.version + "&wait=" + WAIT_S, {cache: "no-store", credentials: "same-origin"})
      .then(function (resp) {
        s.fetchMs = 0.9 * s.fetchMs + 0.1 * (performance.now() - asked);
        s.requests += 1;
        if (resp.status === 204) { return null; }
        if (!resp.ok) { throw new Error("the live source answered " + resp.status); }
        return resp.json();
      })
      .then(function (frame) {
        s.inflight = false;
        if (state !== s) { return; }
        if (!frame) { askIn(s, RETRY_MS); return; }  // not there yet: ask again soon
        s.version = frame.v;
        s.versions += 1;
        s.frame = frame;
        s.fresh = true;
        askIn(s, 0);  // the server holds the request until the next frame
      })
      .catch(function (err) {
        s.inflight = false;
        if (state !== s) { return; }
        banner(s, ["No connection to the dashboard (" + err.message + ")."]);
        askIn(s, 1000);  // the server went away: try again in 1 s
      });
  }

  function showCounter(s) {
    var el = document.getElementById(s.ids.counter);
    if (!el) { return; }
    var span = s.draws.length > 1 ? s.draws[s.draws.length - 1] - s.draws[0] : 0;
    var fps = span > 0 ? (s.draws.length - 1) * 1000 / span : 0;
    el.textContent = "frames drawn: " + s.frames;
    el.dataset.frames = String(s.frames);
    el.dataset.versions = String(s.versions);
    el.dataset.version = String(s.version);
    el.dataset.fps = fps.toFixed(1);
    el.dataset.drawMs = s.drawMs.toFixed(2);  // mean time of one draw, ms (recent frames)
    el.dataset.fetchMs = s.fetchMs.toFixed(1);  // mean time of one request, ms (recent ones)
    el.dataset.requests = String(s.requests);
    el.dataset.feet = s.prepared.shown || "";  // what each foot shows: map, stale, none
  }

  // -- drawing ----------------------------------------------------------------------------

  var SIDE = {left: "Left foot", right: "Right foot"};
  var TOP = 34;          // room for the foot names
  var BAR_W = 18;        // colour bar
  var BAR_ROOM = 112;    // colour bar and its labels

  function hatchPattern(ctx, p) {
    if (!p.hatch) {
      var tile = document.createElement("canvas");
      tile.width = 8; tile.height = 8;
      var t = tile.getContext("2d");
      t.fillStyle = "#d9d9d9"; t.fillRect(0, 0, 8, 8);
      t.strokeStyle = "#8c8c8c"; t.lineWidth = 1.5;
      t.beginPath(); t.moveTo(0, 8); t.lineTo(8, 0); t.moveTo(-2, 2); t.lineTo(2, -2);
      t.moveTo(6, 10); t.lineTo(10, 6); t.stroke();
      p.hatch = ctx.createPattern(tile, "repeat");
    }
    return p.hatch;
  }

  function background(p, W, H, boxes) {
    // what does not change between frames: the foot names and the colour bar
    if (p.bg && p.bg.width === W && p.bg.height === H) { return p.bg; }
    var bg = document.createElement("canvas");
    bg.width = W; bg.height = H;
    var ctx = bg.getContext("2d");
    ctx.font = "bold 16px system-ui, sans-serif";
    ctx.fillStyle = "#222";
    ctx.textAlign = "center";
    ["left", "right"].forEach(function (foot, i) {
      ctx.fillText(SIDE[foot], boxes[i].x + p.geo.feet[foot].cols * boxes[i].s / 2, 20);
    });
    drawBar(ctx, p, W - BAR_ROOM + 14, TOP + 10, H - TOP - 30);
    p.bg = bg;
    return bg;
  }

  function draw(canvas, frame, p) {
    var ctx = canvas.getContext("2d");
    var W = canvas.width, H = canvas.height, geo = p.geo;
    var g0 = geo.feet.left;
    var scale = Math.min((W - BAR_ROOM - 30) / (2 * g0.cols), (H - TOP - 8) / g0.rows);
    var fw = g0.cols * scale;
    var gap = (W - BAR_ROOM - 2 * fw) / 3;
    var boxes = [0, 1].map(function (i) { return {x: gap + i * (fw + gap), y: TOP, s: scale}; });
    ctx.clearRect(0, 0, W, H);
    ctx.drawImage(background(p, W, H, boxes), 0, 0);
    var missing = [], shown = [];
    ["left", "right"].forEach(function (foot, i) {
      var got = drawFoot(ctx, p, foot, frame.feet[foot], boxes[i]);
      shown.push(foot + ":" + got.shown);
      if (got.lost.length) { missing.push(SIDE[foot] + ": " + got.lost.join(", ")); }
    });
    p.shown = shown.join(" ");
    texts(frame, p, missing);
  }

  function outlinePath(ctx, pts, box) {
    ctx.beginPath();
    for (var i = 0; i < pts.length; i++) {
      var x = box.x + pts[i][0] * box.s, y = box.y + pts[i][1] * box.s;
      if (i === 0) { ctx.moveTo(x, y); } else { ctx.lineTo(x, y); }
    }
    ctx.closePath();
  }

  function drawFoot(ctx, p, foot, data, box) {
    var geo = p.geo, fp = p.feet[foot], f = fp.geo, n = geo.n_sensors;
    var present = data && data.present;
    var live = present && !data.stale && data.kpa && data.kpa.length === n;
    outlinePath(ctx, f.outline, box);
    ctx.fillStyle = live ? "#e6e6e6" : hatchPattern(ctx, p);
    ctx.fill();
    var lost = [];
    if (live) {
      var vals = new Float32Array(n), ok = new Uint8Array(n);
      for (var j = 0; j < n; j++) {
        var v = data.kpa[j];
        ok[j] = v === null || v === undefined || !isFinite(v) ? 0 : 1;
        vals[j] = ok[j] ? v : 0;
        if (!ok[j]) { lost.push(geo.sensor_names[j]); }
      }
      paintMap(p, fp, vals, ok);
      ctx.save();
      outlinePath(ctx, f.outline, box);
      ctx.clip();
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(fp.image, box.x, box.y, f.cols * box.s, f.rows * box.s);
      ctx.restore();
    }
    outlinePath(ctx, f.outline, box);
    ctx.lineWidth = 2; ctx.strokeStyle = "#333"; ctx.stroke();
    drawSites(ctx, f, box);
    drawSensors(ctx, p, f, box, live ? data.kpa : null);
    if (live && data.cop_mm && data.cop_mm.length) { drawTrail(ctx, f, geo, box, data.cop_mm); }
    var shown = live ? "map" : (!present ? "none" : (data.stale ? "stale" : "unknown-layout"));
    if (!live) {
      var words = !present ? "no insole" : (data.stale ? "no recent data"
        : "cannot draw " + (data.kpa ? data.kpa.length : 0) + " sensors");
      ctx.font = "bold 15px system-ui, sans-serif";
      ctx.textAlign = "center";
      var cx = box.x + f.cols * box.s / 2, cy = box.y + f.rows * box.s * 0.55;
      var tw = ctx.measureText(words).width + 12;
      ctx.fillStyle = "rgba(255,255,255,0.92)";
      ctx.fillRect(cx - tw / 2, cy - 14, tw, 22);
      ctx.fillStyle = "#222";
      ctx.fillText(words, cx, cy + 2);
    }
    return {lost: lost, shown: shown};
  }

  function paintMap(p, fp, vals, ok) {
    var n = p.geo.n_sensors, w = fp.weights, cells = fp.cells, px = fp.pixels.data, lut = p.lut;
    var lo = p.geo.kpa_min, k255 = 255 / (p.geo.kpa_max - p.geo.kpa_min);
    for (var k = 0; k < cells.length; k++) {
      var sum = 0, wsum = 0, base = k * n;
      for (var j = 0; j < n; j++) {
        if (ok[j]) { sum += w[base + j] * vals[j]; wsum += w[base + j]; }
      }
      var o = cells[k] * 4;
      if (wsum <= 0) { px[o + 3] = 0; continue; }
      var idx = Math.round((sum / wsum - lo) * k255);
      idx = idx < 0 ? 0 : (idx > 255 ? 255 : idx);
      px[o] = lut[3 * idx]; px[o + 1] = lut[3 * idx + 1]; px[o + 2] = lut[3 * idx + 2];
      px[o + 3] = 255;
    }
    fp.ctx.putImageData(fp.pixels, 0, 0);
  }

  function drawSites(ctx, f, box) {
    ctx.font = "bold 10px system-ui, sans-serif";
    ctx.textAlign = "center";
    for (var i = 0; i < f.sites.length; i++) {
      var x = box.x + f.sites[i][0] * box.s, y = box.y + f.sites[i][1] * box.s;
      ctx.fillStyle = "#ffffff"; ctx.strokeStyle = "#000000"; ctx.lineWidth = 1;
      ctx.fillRect(x + 5, y - 14, 11, 12); ctx.strokeRect(x + 5, y - 14, 11, 12);
      ctx.fillStyle = "#000000";
      ctx.fillText(String(i + 1), x + 10.5, y - 4.5);
    }
  }

  function drawSensors(ctx, p, f, box, kpa) {
    for (var i = 0; i < f.sensors.length; i++) {
      var x = box.x + f.sensors[i][0] * box.s, y = box.y + f.sensors[i][1] * box.s;
      var v = kpa ? kpa[i] : 0;
      var none = kpa && (v === null || v === undefined || !isFinite(v));
      ctx.beginPath();
      ctx.arc(x, y, none ? 6 : 3, 0, 2 * Math.PI);
      ctx.fillStyle = none ? hatchPattern(ctx, p) : "#ffffff";
      ctx.fill();
      ctx.lineWidth = 1.2; ctx.strokeStyle = "#000000"; ctx.stroke();
      if (none) {  // a cross as well as the hatching: no value here
        ctx.beginPath();
        ctx.moveTo(x - 4, y - 4); ctx.lineTo(x + 4, y + 4);
        ctx.moveTo(x + 4, y - 4); ctx.lineTo(x - 4, y + 4);
        ctx.stroke();
      }
    }
  }

  function drawTrail(ctx, f, geo, box, cop) {
    function pt(c) {
      return [box.x + (c[0] - f.x0_mm) / geo.cell_mm * box.s,
              box.y + (f.y1_mm - c[1]) / geo.cell_mm * box.s];
    }
    var pts = [];
    for (var i = 0; i < cop.length; i++) {
      if (cop[i] && isFinite(cop[i][0]) && isFinite(cop[i][1]) && cop[i][0] !== null) {
        pts.push(pt(cop[i]));
      }
    }
    if (!pts.length) { return; }
    ctx.lineJoin = "round";
    [["#000000", 4.5], ["#ffffff", 2]].forEach(function (st) {
      ctx.beginPath();
      ctx.moveTo(pts[0][0], pts[0][1]);
      for (var k = 1; k < pts.length; k++) { ctx.lineTo(pts[k][0], pts[k][1]); }
      ctx.strokeStyle = st[0]; ctx.lineWidth = st[1]; ctx.stroke();
    });
    var last = pts[pts.length - 1];
    ctx.beginPath();
    ctx.arc(last[0], last[1], 7, 0, 2 * Math.PI);
    ctx.fillStyle = "#ffffff"; ctx.fill();
    ctx.lineWidth = 3; ctx.strokeStyle = "#000000"; ctx.stroke();
  }

  function drawBar(ctx, p, x, y, h) {
    var lut = p.lut, geo = p.geo;
    for (var i = 0; i < h; i++) {
      var idx = Math.round(255 * (1 - i / (h - 1)));
      ctx.fillStyle = "rgb(" + lut[3 * idx] + "," + lut[3 * idx + 1] + "," + lut[3 * idx + 2] + ")";
      ctx.fillRect(x, y + i, BAR_W, 1.5);
    }
    ctx.strokeStyle = "#333"; ctx.lineWidth = 1; ctx.strokeRect(x, y, BAR_W, h);
    ctx.fillStyle = "#222"; ctx.textAlign = "left";
    ctx.font = "bold 14px system-ui, sans-serif";
    ctx.fillText("kPa", x - 2, y - 12);
    ctx.font = "13px system-ui, sans-serif";
    var step = (geo.kpa_max - geo.kpa_min) / 4;
    for (var t = 0; t <= 4; t++) {
      var value = geo.kpa_min + t * step;
      var ty = y + h - t * h / 4;
      ctx.fillRect(x + BAR_W, ty - 0.5, 5, 1);
      ctx.fillText(Math.round(value) + (t === 4 ? "+ kPa" : " kPa"), x + BAR_W + 8, ty + 4);
    }
  }

  // -- the text parts (plain words, a unit on every number) ------------------------------

  function setText(id, text) {
    var el = document.getElementById(id);
    if (el && el.textContent !== text) { el.textContent = text; }
    return el;
  }

  function banner(s, lines) {
    var el = document.getElementById(s.ids.banner);
    if (!el) { return; }
    var key = lines.join("\n");
    if (el.dataset.key === key) { return; }
    el.dataset.key = key;
    el.replaceChildren.apply(el, lines.map(function (line) {
      var div = document.createElement("div");
      div.textContent = "Warning: " + line;
      return div;
    }));
    el.style.display = lines.length ? "block" : "none";
  }

  function texts(frame, p, missing) {
    var s = state, geo = p.geo;
    var src;
    if (frame.source === "replay" && frame.replay) {
      var r = frame.replay;
      src = "Replaying " + r.name + ": " + mmss(r.position_s) + " of " + mmss(r.duration_s) +
        ", " + (Math.round(r.speed * 100) / 100) + "x" + (r.paused ? " (paused)" : "");
    } else if (frame.source === "live") {
      src = "Live" + (frame.label ? " from " + frame.label : "");
    } else {
      src = "Nothing is streaming and no replay is playing.";
    }
    setText(s.ids.source, src);
    var lines = (frame.warnings || []).slice();
    ["left", "right"].forEach(function (foot) {
      var d = frame.feet[foot];
      if (d && d.present && d.stale) {
        var said = lines.some(function (l) { return l.toLowerCase().indexOf(foot) >= 0; });
        if (!said) {
          var age = fmt(d.age_s, 1);
          lines.push(SIDE[foot] + ": no recent data" + (age ? " (last data " + age +
                     " s ago)." : "."));
        }
      }
    });
    banner(s, lines);
    setText(s.ids.missing, missing.length ? "No reading from these sensors (drawn grey and " +
            "crossed): " + missing.join("; ") + "." : "");
    temps(frame, geo);
    var g = frame.gait || {};
    var st = g.stance_s || {};
    var stance = function (foot) { var v = fmt(st[foot], 2); return v ? v + " s" : "not known"; };
    var cad = fmt(g.cadence_steps_per_min, 0);
    setText(s.ids.gait, "Cadence (pace): " + (cad ? cad + " steps/min" : "not known") +
            ". Steps: " + (g.steps || 0) + " steps" +
            (g.window_s ? " (last " + fmt(g.window_s, 0) + " s)" : "") +
            ". Time on the ground per step (stance): left " + stance("left") + ", right " +
            stance("right") + ".");
  }

  function temps(frame, geo) {
    var el = document.getElementById(state.ids.temps);
    if (!el) { return; }
    // a foot without recent data shows no temperatures: old numbers must not look current
    var fresh = function (foot) {
      var d = frame.feet[foot];
      return d && d.present && !d.stale ? (d.temp_c || []) : null;
    };
    var left = fresh("left"), right = fresh("right");
    var diff = left && right ? (frame.temp_diff_c || []) : [];
    var gone = function (side) { return side === null ? "no recent data" : "no reading"; };
    var limit = geo.temp_diff_threshold_c;
    var rows = [], key = [];
    for (var i = 0; i < geo.sites.length; i++) {
      var l = left && fmt(left[i], 1), r = right && fmt(right[i], 1), d = diff[i];
      var flag = "";
      if (d !== null && d !== undefined && isFinite(d) && Math.abs(d) > limit) {
        flag = (d > 0 ? "Left" : "Right") + " warmer by more than " + limit.toFixed(1) + " °C";
      }
      var ds = fmt(d, 1);
      var row = [(i + 1) + " " + geo.site_labels[i], l ? l + " °C" : gone(left),
                 r ? r + " °C" : gone(right),
                 ds ? (d > 0 ? "+" : "") + ds + " °C" : "not known", flag || "within " +
                 limit.toFixed(1) + " °C"];
      if (!ds) { row[4] = ""; }
      rows.push(row); key.push(row.join("|"));
    }
    var k = key.join("\n");
    if (el.dataset.key === k) { return; }
    el.dataset.key = k;
    var table = document.createElement("table");
    table.className = "sw-live-temps";  // numbers never break inside (style.css)
    table.style.borderCollapse = "collapse";
    var head = ["Spot", "Left", "Right", "Left minus right", "Note"];  // short: fits a phone
    var tr = document.createElement("tr");
    head.forEach(function (h) {
      var th = document.createElement("th");
      th.textContent = h; th.style.textAlign = "left"; th.style.padding = "2px 10px 2px 0";
      tr.appendChild(th);
    });
    table.appendChild(tr);
    rows.forEach(function (row) {
      var r = document.createElement("tr");
      var hot = row[4].indexOf("warmer") >= 0;
      row.forEach(function (cell, j) {
        var td = document.createElement("td");
        td.textContent = cell.replace(/ °C/g, "\u00a0°C");  // a value and its unit stay together
        if (j >= 1 && j <= 3) { td.className = "sw-num"; }
        td.style.padding = "2px 10px 2px 0";
        if (hot && j >= 3) { td.style.background = "#fbe3c0"; td.style.fontWeight = "bold"; }
        r.appendChild(td);
      });
      table.appendChild(r);
    });
    var note = document.createElement("p");
    note.style.fontSize = "90%";
    note.textContent = "A spot more than " + limit.toFixed(1) + " °C warmer than the same spot " +
      "on the other foot is worth watching; one reading is not a diagnosis.";
    el.replaceChildren(table, note);
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    solewatchLive: {start: start}
  });
  window.solewatchLive = {
    running: function () { return !!(state && state.running); },
    stop: stop
  };
})();
