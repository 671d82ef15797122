/*
 * tcr-doctor help widget. Embed with:
 *   <script src="https://HOST/widget.js" defer
 *           data-lang="zh|en" data-position="right|left" data-title="..." data-handoff-url="https://..."></script>
 *
 * Everything lives in a shadow root (the host page's CSS cannot break it, ours cannot leak). Text from the user
 * and from the API is inserted with textContent; the only HTML inserted is the answer/findings HTML the server
 * rendered from markdown without raw HTML and sanitised with nh3, and it is filtered again here against an
 * allow-list before it touches the document.
 *
 * Accessibility (WCAG 2.2 AA, checked with axe-core in tests/test_widget_a11y.py): a complementary landmark with
 * a dialog; on a small screen the dialog is modal and keeps the focus inside; each new answer's heading takes
 * the focus and is scrolled to the top of the conversation; the frame speaks the page's language while each
 * reply speaks its question's language throughout (the widget's buttons, hints and feedback inside it too).
 */
(function () {
  "use strict";
  if (window.__tcrDoctorWidget) { return; }
  window.__tcrDoctorWidget = true;

  var script = document.currentScript || (function () {
    var all = document.querySelectorAll("script[src*='widget.js']");
    return all[all.length - 1];
  })();
  if (!script) { return; }
  var data = script.dataset || {};
  var scriptUrl = new URL(script.src, window.location.href);
  var BASE = scriptUrl.origin + scriptUrl.pathname.replace(/\/widget\.js$/, "");

  var STRINGS = {
    en: {
      lang: "en",
      title: "TCR help",
      open: "Open TCR help",
      close: "Close",
      placeholder: "Ask about TCR, or paste an error…",
      inputLabel: "Your question",
      send: "Send",
      greeting: "Hi! Ask me about Tencent Cloud Container Registry (TCR): login, pulling and pushing images, quotas, networking… You can paste an error message too.",
      thinking: "Looking it up…",
      didYouMean: "Did you mean:",
      runDiagnostics: "Run diagnostics on {target}",
      runLog: "Run this diagnosis",
      runLogOn: "Checks {checks} on {target}",
      runLogAll: "All checks that need no login, on {target}",
      logTargetAsk: "Which registry did the log come from? (e.g. {host})",
      diagnoseAsk: "I can check a registry live. Which registry or image? (e.g. {example})",
      targetLabel: "Registry or image",
      diagnose: "Diagnose",
      diagnosing: "Running checks on {target}… (up to a few seconds)",
      helpful: "Was this helpful?",
      yes: "Helpful",
      no: "Not helpful",
      thanks: "Thanks for the feedback!",
      thanksNo: "Thanks, we will improve this answer. You can also talk to a person:",
      handoff: "Contact support",
      noAnswer: "I could not find this in the FAQ. Try rephrasing, or talk to a person:",
      stillStuck: "Still stuck? Talk to a person:",
      error: "Something went wrong. Please try again.",
      you: "You",
      bot: "TCR help",
      colon: ": ",
      showPaste: "Show the whole message ({lines} lines)",
      pasteCut: "The paste was longer than the {max} characters a question holds: its last {kept} were kept (where a log's error usually is)."
    },
    zh: {
      lang: "zh",
      title: "TCR 帮助",
      open: "打开 TCR 帮助",
      close: "关闭",
      placeholder: "询问 TCR 相关问题，或粘贴报错信息…",
      inputLabel: "您的问题",
      send: "发送",
      greeting: "您好！可以问我腾讯云容器镜像服务（TCR）的问题：登录、拉取和推送镜像、配额、网络等，也可以直接粘贴报错信息。",
      thinking: "正在查找…",
      didYouMean: "您是不是想问：",
      runDiagnostics: "对 {target} 运行诊断",
      runLog: "运行此诊断",
      runLogOn: "对 {target} 运行检查：{checks}",
      runLogAll: "对 {target} 运行所有无需登录的检查",
      logTargetAsk: "这段日志来自哪个镜像仓库？（例如 {host}）",
      diagnoseAsk: "我可以实时检查镜像仓库。请填写镜像仓库或镜像地址（例如 {example}）",
      targetLabel: "镜像仓库或镜像地址",
      diagnose: "诊断",
      diagnosing: "正在检查 {target}…（需要几秒钟）",
      helpful: "这个回答有帮助吗？",
      yes: "有帮助",
      no: "没有帮助",
      thanks: "感谢您的反馈！",
      thanksNo: "感谢反馈，我们会改进这个回答。您也可以联系人工支持：",
      handoff: "联系人工支持",
      noAnswer: "常见问题中没有找到相关内容。请换个说法，或联系人工支持：",
      stillStuck: "仍未解决？可以联系人工支持：",
      error: "出错了，请重试。",
      you: "您",
      bot: "TCR 帮助",
      colon: "：",
      showPaste: "展开完整内容（共 {lines} 行）",
      pasteCut: "粘贴的内容超过了一个问题可容纳的 {max} 个字符：保留了最后 {kept} 个字符（日志的报错通常在末尾）。"
    }
  };

  function pickLang() {
    var wanted = data.lang || document.documentElement.getAttribute("lang") || navigator.language || "en";
    return /^zh/i.test(wanted) ? "zh" : "en";
  }
  var LANG = pickLang();
  var T = STRINGS[LANG];
  var TITLE = data.title || T.title;
  // The service fills in the limits its API enforces: the longest question (TCR_DOCTOR_MAX_QUESTION_CHARS) and the
  // longest diagnosis target, between the markers.
  var MAX_QUESTION_CHARS = /*MAX_QUESTION_CHARS*/16000/*END*/;
  var MAX_TARGET_CHARS = /*MAX_TARGET_CHARS*/512/*END*/;
  // ... and the checks /api/diagnose runs (TCR_DOCTOR_DIAGNOSE_CHECKS): a pasted log's "Run this diagnosis" asks for
  // those of its checks, and is not offered when none of them runs here (the API refuses a check it does not run).
  var CHECKS = /*CHECKS*/["name", "dns", "endpoint", "tcp", "tls", "http", "credentials", "image"]/*END*/;
  // The service fills in its configured hand-off URL (TCR_DOCTOR_HANDOFF_URL) between the markers.
  var DEFAULT_HANDOFF = /*HANDOFF*/"https://console.cloud.tencent.com/workorder/category"/*END*/;
  var HANDOFF = safeUrl(data.handoffUrl) || safeUrl(DEFAULT_HANDOFF) || "https://console.cloud.tencent.com/workorder/category";
  var POSITION = data.position === "left" ? "left" : "right";

  // The frame (launcher, title, input, greeting, footer) speaks the page's language, T. A reply speaks its
  // question's language throughout, the widget's own words inside it included (buttons, hints, feedback, hand-off,
  // the diagnosis it starts): words(res.lang) gives those, so no reply mixes two languages.
  function words(lang) { return STRINGS[lang === "zh" || lang === "en" ? lang : LANG]; }
  function fmt(W, key, vars) {
    return W[key].replace(/\{(\w+)\}/g, function (_, name) { return vars && name in vars ? vars[name] : ""; });
  }
  function t(key, vars) { return fmt(T, key, vars); }

  function safeUrl(value) {
    if (!value) { return null; }
    try {
      var u = new URL(value, window.location.href);
      return (u.protocol === "https:" || u.protocol === "http:") ? u.href : null;
    } catch (e) { return null; }
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "className") { node.className = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  // Defence in depth for server HTML (already sanitised by nh3): allow-listed tags and attributes only.
  var ALLOWED_TAGS = /^(P|BR|STRONG|EM|CODE|PRE|UL|OL|LI|A|BLOCKQUOTE|H3|H4|H5|H6|TABLE|THEAD|TBODY|TR|TH|TD|HR|DIV|SPAN|SECTION|DETAILS|SUMMARY)$/;
  var ALLOWED_ATTRS = { "class": 1, "lang": 1, "role": 1, "aria-label": 1, "aria-hidden": 1, "data-code": 1, "data-status": 1, "href": 1, "title": 1, "rel": 1, "target": 1 };
  function safeFragment(html) {
    var doc = new DOMParser().parseFromString("<body>" + html + "</body>", "text/html");
    var frag = document.createDocumentFragment();
    function copy(src, dst) {
      Array.prototype.forEach.call(src.childNodes, function (n) {
        if (n.nodeType === 3) { dst.appendChild(document.createTextNode(n.nodeValue)); return; }
        if (n.nodeType !== 1) { return; }
        if (!ALLOWED_TAGS.test(n.tagName)) { copy(n, dst); return; }  // unknown tag: keep its text only
        var out = document.createElement(n.tagName.toLowerCase());
        Array.prototype.forEach.call(n.attributes, function (a) {
          var name = a.name.toLowerCase();
          if (!ALLOWED_ATTRS[name]) { return; }
          if (name === "href") {
            var u = safeUrl(a.value);
            if (!u) { return; }
            out.setAttribute("href", u);
            out.setAttribute("target", "_blank");
            out.setAttribute("rel", "noopener noreferrer nofollow");
            return;
          }
          out.setAttribute(name, a.value);
        });
        copy(n, out);
        dst.appendChild(out);
      });
    }
    copy(doc.body, frag);
    return frag;
  }

  // Icons as SVG paths (emoji fonts are not everywhere), built with DOM calls.
  var THUMB_UP = "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z";
  var THUMB_DOWN = "M15 3H6c-.83 0-1.54.5-1.84 1.22l-3.02 7.05c-.09.23-.14.47-.14.73v2c0 1.1.9 2 2 2h6.31l-.95 4.57-.03.32c0 .41.17.79.44 1.06L9.83 23l6.59-6.59c.36-.36.58-.86.58-1.41V5c0-1.1-.9-2-2-2zm4 0v12h4V3h-4z";
  function icon(d) {
    var NS = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "16");
    svg.setAttribute("height", "16");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(NS, "path");
    path.setAttribute("d", d);
    path.setAttribute("fill", "currentColor");
    svg.appendChild(path);
    return svg;
  }

  function post(path, body, W) {
    W = W || T;
    return fetch(BASE + path, {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      headers: { "Content-Type": "application/json", "Accept-Language": LANG },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (json) {
        if (!res.ok) {
          var msg = (json.messages && json.messages[W.lang]) || json.message || W.error;
          var err = new Error(msg);
          err.status = res.status;
          throw err;
        }
        return { json: json, headers: res.headers };
      });
    });
  }

  // ---- DOM -------------------------------------------------------------------------------------------
  var host = el("div", { id: "tcr-doctor-widget", "data-position": POSITION });
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var css = el("link", { rel: "stylesheet", href: BASE + "/widget.css" });
  root.appendChild(css);

  var wrap = el("div", { className: "tcrd tcrd-" + POSITION, lang: LANG, role: "complementary", "aria-label": TITLE });
  var launcher = el("button", { type: "button", className: "tcrd-launcher", "aria-expanded": "false",
                                "aria-controls": "tcrd-panel", "aria-label": T.open, title: T.open });
  launcher.appendChild(el("span", { className: "tcrd-launcher-icon", "aria-hidden": "true" }, "?"));
  launcher.appendChild(el("span", { className: "tcrd-launcher-text" }, TITLE));

  var panel = el("div", { id: "tcrd-panel", className: "tcrd-panel", role: "dialog", "aria-modal": "false",
                          "aria-labelledby": "tcrd-title", hidden: "" });
  var header = el("div", { className: "tcrd-header" });
  header.appendChild(el("h2", { id: "tcrd-title", className: "tcrd-title" }, TITLE));
  var closeBtn = el("button", { type: "button", className: "tcrd-close", "aria-label": T.close, title: T.close }, "×");
  header.appendChild(closeBtn);

  var log = el("div", { className: "tcrd-log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
                        "aria-label": TITLE, tabindex: "0" });

  var form = el("form", { className: "tcrd-form", autocomplete: "off" });
  var inputId = "tcrd-input";
  form.appendChild(el("label", { "for": inputId, className: "tcrd-sr-only" }, T.inputLabel));
  var input = el("textarea", { id: inputId, className: "tcrd-input", rows: "2", maxlength: String(MAX_QUESTION_CHARS),
                               placeholder: T.placeholder, "aria-label": T.inputLabel });
  var sendBtn = el("button", { type: "submit", className: "tcrd-send" }, T.send);
  form.appendChild(input);
  form.appendChild(sendBtn);
  var cutNote = el("p", { className: "tcrd-cut-note", "aria-live": "polite" });
  cutNote.hidden = true;

  var footer = el("div", { className: "tcrd-footer" });
  var footLink = el("a", { href: HANDOFF, target: "_blank", rel: "noopener noreferrer", className: "tcrd-handoff" }, T.handoff);
  footer.appendChild(footLink);

  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(cutNote);
  panel.appendChild(form);
  panel.appendChild(footer);
  wrap.appendChild(panel);
  wrap.appendChild(launcher);
  root.appendChild(wrap);

  function mount() { document.body.appendChild(host); }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }

  // ---- behaviour --------------------------------------------------------------------------------------
  var greeted = false;
  function openPanel() {
    panel.hidden = false;
    wrap.classList.add("tcrd-open");
    launcher.setAttribute("aria-expanded", "true");
    fitScreen();
    if (!greeted) { greeted = true; botMessage().appendChild(el("p", {}, T.greeting)); }
    input.focus();
  }
  function closePanel() {
    panel.hidden = true;
    wrap.classList.remove("tcrd-open");
    launcher.setAttribute("aria-expanded", "false");
    fitScreen();
    launcher.focus();
  }

  // ---- small screens ----------------------------------------------------------------------------------
  // The phone layout must not depend on the host page: without <meta name="viewport"> a phone lays the page out
  // 980 px wide and shrinks it, so a media query never sees the small screen. Measure the screen instead, and
  // zoom the widget back to its real size when the page is shrunk.
  var PHONE_MAX = 480;
  function fitScreen() {
    var screenWidth = (window.screen && window.screen.width) || window.innerWidth;
    var phone = Math.min(window.innerWidth, screenWidth) <= PHONE_MAX;
    var shrink = window.innerWidth / screenWidth;
    wrap.classList.toggle("tcrd-phone", phone);
    wrap.style.zoom = (phone && shrink > 1.15) ? String(Math.round(shrink * 100) / 100) : "";
    // On a phone the open panel covers the page: it is modal, and the focus stays inside it.
    panel.setAttribute("aria-modal", phone && !panel.hidden ? "true" : "false");
  }
  window.addEventListener("resize", fitScreen);
  fitScreen();
  function modal() { return panel.getAttribute("aria-modal") === "true" && !panel.hidden; }
  function focusables() {
    return Array.prototype.filter.call(
      panel.querySelectorAll("button, a[href], input, textarea, summary, [tabindex]:not([tabindex='-1'])"),
      function (n) { return !n.disabled && n.getClientRects().length > 0; });
  }
  panel.addEventListener("keydown", function (e) {
    if (e.key !== "Tab" || !modal()) { return; }
    var items = focusables();
    if (!items.length) { return; }
    var active = root.activeElement || document.activeElement;
    var first = items[0], last = items[items.length - 1];
    if (e.shiftKey && (active === first || items.indexOf(active) < 0)) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && (active === last || items.indexOf(active) < 0)) { e.preventDefault(); first.focus(); }
  });
  // Focus that reaches the page behind a modal panel (a click, a screen reader's jump) comes back to it.
  document.addEventListener("focusin", function (e) {
    if (modal() && e.target !== host) { input.focus(); }
  });
  launcher.addEventListener("click", function () { if (panel.hidden) { openPanel(); } else { closePanel(); } });
  closeBtn.addEventListener("click", closePanel);
  wrap.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !panel.hidden) { e.preventDefault(); e.stopPropagation(); closePanel(); }
  });
  // Focus can fall back to <body> (e.g. a button that was just disabled): Escape still closes the open panel.
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !panel.hidden && (e.target === document.body || e.target === host)) {
      e.preventDefault();
      closePanel();
    }
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
  });
  // The box holds MAX_QUESTION_CHARS, and a longer paste would be cut at its end, where a log's error usually is,
  // without a word: keep its last characters instead, and say so.
  input.addEventListener("paste", function (e) {
    var text = e.clipboardData ? e.clipboardData.getData("text") : "";
    var room = MAX_QUESTION_CHARS - input.value.length + (input.selectionEnd - input.selectionStart);
    if (!text || text.length <= room) { return; }
    e.preventDefault();
    var kept = Math.max(0, room);
    input.setRangeText(text.slice(text.length - kept), input.selectionStart, input.selectionEnd, "end");
    cutNote.textContent = t("pasteCut", { max: MAX_QUESTION_CHARS, kept: kept });
    cutNote.hidden = false;
  });
  form.addEventListener("submit", function (e) { e.preventDefault(); submit(); });

  function scrollDown() { log.scrollTop = log.scrollHeight; }
  // A new answer: its heading takes the focus and the answer is scrolled to the top of the conversation, so its
  // title and cause are what a reader (and a magnifier at 200 %) sees first.
  function present(m) {
    var heading = m.querySelector("h3") || m;
    heading.setAttribute("tabindex", "-1");
    heading.classList.add("tcrd-focus-target");
    heading.focus({ preventScroll: true });
    var top = m.getBoundingClientRect().top - log.getBoundingClientRect().top + log.scrollTop;
    log.scrollTop = Math.max(0, top - 8);
  }

  // A paste longer than this is collapsed in the user's bubble (like long log evidence): its first lines, and the
  // whole text one click away; a 16,000-character CI log would otherwise fill the panel.
  var PASTE_LINES = 3, PASTE_CHARS = 400;
  function userMessage(text) {
    var m = el("div", { className: "tcrd-msg tcrd-user" });
    m.appendChild(el("span", { className: "tcrd-sr-only" }, T.you + T.colon));
    var lines = text.split("\n");
    if (lines.length <= PASTE_LINES && text.length <= PASTE_CHARS) {
      m.appendChild(el("p", { className: "tcrd-user-text" }, text));   // textContent: "<img onerror=...>" stays text
    } else {
      var head = lines.slice(0, PASTE_LINES).map(function (l) { return l.length > 120 ? l.slice(0, 120) + "…" : l; })
        .join("\n").slice(0, 300) + " …";
      var preview = el("p", { className: "tcrd-user-head" }, head);
      var more = el("details", { className: "tcrd-user-more" });
      more.appendChild(el("summary", {}, t("showPaste", { lines: lines.length })));
      more.appendChild(el("p", { className: "tcrd-user-text" }, text));
      more.addEventListener("toggle", function () { preview.hidden = more.open; });
      m.appendChild(preview);
      m.appendChild(more);
    }
    log.appendChild(m);
    scrollDown();
    return m;
  }
  function botMessage(W) {
    W = W || T;
    var m = el("div", { className: "tcrd-msg tcrd-bot", lang: W.lang });
    m.appendChild(el("span", { className: "tcrd-sr-only" }, W.bot + W.colon));
    log.appendChild(m);
    scrollDown();
    return m;
  }
  function pending(text, W) {
    var m = botMessage(W);
    m.classList.add("tcrd-pending");
    m.setAttribute("aria-busy", "true");
    m.appendChild(el("p", {}, text));
    return m;
  }
  function handoffLink(container, text, W) {
    var p = el("p", { className: "tcrd-handoff-line" }, text + " ");
    p.appendChild(el("a", { href: HANDOFF, target: "_blank", rel: "noopener noreferrer", className: "tcrd-handoff" }, (W || T).handoff));
    container.appendChild(p);
  }

  var busy = false;
  function submit() {
    var q = input.value.trim();
    if (!q || busy) { return; }
    input.value = "";
    cutNote.hidden = true;
    ask(q);
  }

  function ask(q) {
    busy = true;
    userMessage(q);
    var wait = pending(T.thinking);
    // The answer follows the question's language, the widget's own words follow the page: Chinese in the
    // question (even with pasted English output) means a Chinese answer; otherwise the service detects it, so an
    // English question on a Chinese page is answered in English.
    var body = { q: q, render: "html" };
    // (Japanese, Han among kana, is left to the service, which answers it in English: knowledge.text.detect_lang)
    if (/[\u3400-\u9fff]/.test(q) && !/[\u3041-\u3096\u30a1-\u30fa]/.test(q)) { body.lang = "zh"; }
    post("/api/ask", body).then(function (r) {
      wait.remove();
      present(showAnswer(r.json, r.headers.get("X-Question-Id")));
    }).catch(function (err) {
      wait.remove();
      botMessage().appendChild(el("p", { className: "tcrd-error", role: "alert" }, err.message || T.error));
      scrollDown();
    }).then(function () { busy = false; });
  }

  function showAnswer(res, questionId) {
    var W = words(res.lang);
    var m = botMessage(W);
    m.classList.add("tcrd-status-" + (res.status || "no_answer"));
    // A pasted error log: its cause comes first, with the diagnosis that confirms it (issue 6).
    var log = (res.log && typeof res.log === "object" && res.log.cause) ? res.log : null;
    var kind = (res.refusal && res.refusal.kind) || (res.matched ? null : "troubleshooting");
    // The targets the service's address policy refuses (its own decision, in the answer): no diagnosis is offered
    // on them, since /api/diagnose would only answer TARGET_REFUSED (the cause card's CLI command is the way).
    var refused = Array.isArray(res.refused_targets) ? res.refused_targets.map(String) : [];
    if (log) { m.appendChild(causeCard(log, res.log_html, W, kind === "other_registry", refused)); }
    if (res.html) {
      // The answer, or why there is none (small talk, another vendor, the "not covered" pointer, a problem report).
      var body = el("div", { className: "tcrd-answer-wrap" });
      body.appendChild(safeFragment(res.html));
      m.appendChild(body);
    }
    if (!res.matched && (kind === "troubleshooting" || kind === "documentation")) {
      handoffLink(m, res.html ? W.stillStuck : W.noAnswer, W);
    }
    // "did you mean" only when it is close: the runner-up of an ambiguous match, or the nearest entries of a
    // problem report that no known subject covers; never for small talk, another vendor or a documented topic.
    var close = res.status === "ambiguous" || (kind === "troubleshooting" && !res.topic);
    var alts = close ? (res.alternatives || []).filter(function (a) { return a && a.question; }) : [];
    if (alts.length) {
      var chips = el("div", { className: "tcrd-chips", role: "group", "aria-label": W.didYouMean });
      chips.appendChild(el("span", { className: "tcrd-chips-label" }, W.didYouMean));
      alts.slice(0, 3).forEach(function (a) {
        var b = el("button", { type: "button", className: "tcrd-chip", "data-id": String(a.id || "") }, a.question);
        b.addEventListener("click", function () { if (!busy) { ask(a.question); } });
        chips.appendChild(b);
      });
      m.appendChild(chips);
    }
    if (res.matched && res.diagnostics && res.diagnostics.length) {
      var ent = res.entities || {};
      var target = ent.image || ent.registry;
      if (log && log.diagnose && (!log.target || log.target === target || log.target === ent.registry ||
          registryHost(log.target) === registryHost(target))) {
        // the cause card already offers a diagnosis of this registry (or asks for it): no second button/form
      } else if (target && refused.indexOf(target) >= 0) {
        // the service refuses this target: no button that can only be refused
      } else if (target) {
        var run = el("button", { type: "button", className: "tcrd-run" }, fmt(W, "runDiagnostics", { target: target }));
        run.addEventListener("click", function () { run.disabled = true; diagnose(target, null, W); });
        m.appendChild(run);
      } else {
        m.appendChild(targetForm(null, null, null, W));
      }
    }
    if (res.matched && res.answer) {
      m.appendChild(feedback(res.answer.id, res.kb_version, questionId, W));
    }
    return m;
  }

  var formCount = 0;
  // The example a target field shows: a TCR instance's image, or any registry's where the message is about another
  // vendor's or a self-hosted registry (a TCR host there would be a wrong example of what to diagnose). The
  // question above the field names the same example: its words hold {example} (the image) or {host} (its registry).
  var TCR_EXAMPLE = "myinstance.tencentcloudcr.com/ns/app:1.0";
  var OTHER_EXAMPLE = "registry.example.com/ns/app:1.0";
  // question: the key of the words that ask for the target (default diagnoseAsk)
  function targetForm(extra, question, label, W, other) {
    W = W || T;
    formCount += 1;
    var f = el("form", { className: "tcrd-target-form" });
    var id = "tcrd-target-" + formCount;
    var example = other ? OTHER_EXAMPLE : TCR_EXAMPLE;
    f.appendChild(el("p", {}, fmt(W, question || "diagnoseAsk", { example: example, host: example.split("/")[0] })));
    f.appendChild(el("label", { "for": id, className: "tcrd-sr-only" }, W.targetLabel));
    var field = el("input", { id: id, type: "text", className: "tcrd-target", maxlength: String(MAX_TARGET_CHARS),
                              placeholder: example, "aria-label": W.targetLabel,
                              spellcheck: "false", autocapitalize: "off" });
    var go = el("button", { type: "submit", className: extra ? "tcrd-run-log" : "tcrd-run" }, label || W.diagnose);
    f.appendChild(field);
    f.appendChild(go);
    f.addEventListener("submit", function (e) {
      e.preventDefault();
      var target = field.value.trim();
      if (target) { diagnose(target, extra, W); }
    });
    return f;
  }

  // extra (optional): {checks, cause, also} of a pasted log; the server then says whether the findings confirm it.
  // W: the words of the reply that started it (the findings come in that reply's language).
  // The host a registry target names, without its port (bot/render.py's registry_host): a log's target and the
  // registry asked about are one registry, with one diagnosis, when only the port the log shows differs.
  function registryHost(t) {
    return String(t || "").replace(/^https?:\/\//i, "").split("/")[0].toLowerCase().replace(/:\d+$/, "");
  }

  function diagnose(target, extra, W) {
    W = W || T;
    var wait = pending(fmt(W, "diagnosing", { target: target }), W);
    var body = { target: target, lang: W.lang, render: "html" };
    if (extra) {
      body.checks = extra.checks || [];
      body.cause = extra.cause;
      body.also = extra.also || [];
    }
    return post("/api/diagnose", body, W).then(function (r) {
      wait.remove();
      var m = botMessage(W);
      m.classList.add("tcrd-diagnosis");
      if (extra) { m.classList.add("tcrd-log-diagnosis"); }
      m.appendChild(safeFragment(r.json.html || ""));
      present(m);
    }).catch(function (err) {
      wait.remove();
      botMessage(W).appendChild(el("p", { className: "tcrd-error", role: "alert" }, err.message || W.error));
      scrollDown();
    });
  }

  // The cause card of a pasted log: the server's sanitised HTML (summary, evidence, fix and note from safe
  // markdown, other possible causes, the CLI command), the evidence line set again here as plain text, and the
  // "Run this diagnosis" action on the log's target with its checks.
  // other: the message is about another vendor's or a self-hosted registry (the reply's refusal says so).
  // refused: the targets the service's address policy refuses (the answer's refused_targets).
  function causeCard(log, html, W, other, refused) {
    W = W || T;
    var card = el("div", { className: "tcrd-cause-wrap" });
    if (html) {
      card.appendChild(safeFragment(html));
    } else {
      var sec = el("section", { className: "tcrd-cause", "data-code": String(log.cause) });
      var summary = log.summary && (log.summary[W.lang] || log.summary.en || log.summary.zh);
      sec.appendChild(el("p", { className: "tcrd-cause-summary" }, (summary ? summary + " " : "") + log.cause));
      if (log.evidence) {
        var ev = el("div", { className: "tcrd-evidence" });
        var pre = el("pre");
        pre.appendChild(el("code"));
        ev.appendChild(pre);
        sec.appendChild(ev);
      }
      card.appendChild(sec);
    }
    var code = card.querySelector(".tcrd-evidence code");
    if (code) { code.textContent = String(log.evidence || ""); }   // text, whatever the line contains
    if (!log.diagnose) { return card; }   // a local problem: no registry diagnosis confirms it
    var wanted = Array.isArray(log.checks) ? log.checks.map(String) : [];
    var runnable = wanted.filter(function (c) { return CHECKS.indexOf(c) >= 0; });
    if (wanted.length && !runnable.length) { return card; }   // none runs here: the card's CLI command is the way
    var extra = { checks: runnable, cause: String(log.cause),
                  also: Array.isArray(log.also) ? log.also.map(String) : [] };
    if (log.target && (refused || []).indexOf(String(log.target)) >= 0) { return card; }   // refused: CLI only
    if (log.target) {
      var target = String(log.target);
      var hint = extra.checks.length ? fmt(W, "runLogOn", { target: target, checks: extra.checks.join(", ") })
                                     : fmt(W, "runLogAll", { target: target });
      formCount += 1;
      var hintId = "tcrd-run-log-hint-" + formCount;
      var run = el("button", { type: "button", className: "tcrd-run-log", "aria-describedby": hintId },
                   W.runLog);
      var running = false;
      run.addEventListener("click", function () {
        if (running) { return; }
        // aria-disabled, not disabled: the focus stays on the button (keyboard users keep their place)
        running = true;
        run.setAttribute("aria-disabled", "true");
        diagnose(target, extra, W).then(function () { running = false; run.removeAttribute("aria-disabled"); });
      });
      var actions = el("div", { className: "tcrd-cause-actions" });
      actions.appendChild(run);
      actions.appendChild(el("span", { id: hintId, className: "tcrd-cause-hint" }, hint));
      card.appendChild(actions);
    } else {
      card.appendChild(targetForm(extra, "logTargetAsk", W.runLog, W, other));
    }
    return card;
  }

  function feedback(answerId, kbVersion, questionId, W) {
    W = W || T;
    var box = el("div", { className: "tcrd-feedback", role: "group", "aria-label": W.helpful });
    box.appendChild(el("span", { className: "tcrd-feedback-label" }, W.helpful));
    var up = el("button", { type: "button", className: "tcrd-thumb tcrd-up", "aria-label": W.yes, title: W.yes });
    var down = el("button", { type: "button", className: "tcrd-thumb tcrd-down", "aria-label": W.no, title: W.no });
    up.appendChild(icon(THUMB_UP));
    down.appendChild(icon(THUMB_DOWN));
    function send(helpful) {
      up.disabled = down.disabled = true;
      (helpful ? up : down).setAttribute("aria-pressed", "true");
      var body = { answer_id: answerId, kb_version: kbVersion || "", helpful: helpful };
      if (questionId) { body.question_id = questionId; }
      post("/api/feedback", body, W).then(function () {
        var done = el("div", { className: "tcrd-thanks", role: "status", tabindex: "-1" });
        if (helpful) { done.appendChild(el("p", {}, W.thanks)); } else { handoffLink(done, W.thanksNo, W); }
        box.appendChild(done);
        // the pressed button is now disabled and would drop focus to <body>: keep it in the conversation
        var link = done.querySelector("a");
        (link || done).focus();
        scrollDown();
      }).catch(function (err) {
        up.disabled = down.disabled = false;
        box.appendChild(el("p", { className: "tcrd-error", role: "alert" }, err.message || W.error));
      });
    }
    up.addEventListener("click", function () { send(true); });
    down.addEventListener("click", function () { send(false); });
    box.appendChild(up);
    box.appendChild(down);
    return box;
  }

  // A small API for host pages: window.TcrDoctor.open() / .close() / .ask("question")
  window.TcrDoctor = {
    open: openPanel,
    close: closePanel,
    ask: function (q) { openPanel(); if (q) { ask(String(q)); } }
  };
})();
