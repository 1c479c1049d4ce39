/* The content calendar (admin:calendar): FullCalendar fed by the JSON feed,
   drag and drop and keyboard moves checked by the server, capacity markers,
   cap-deferred posts at their planned time and their next try, and the
   queues' free slots (each opens the composer at its time).
   FullCalendar runs in "UTC" mode: the feed sends wall times without an
   offset in the zone chosen here, so what is shown is the wall time. */
(function () {
  "use strict";

  var HOUR = 3600 * 1000;
  var DAY = 24 * HOUR;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /* A Date in wall-time mode (UTC fields hold the wall time) as ISO text. */
  function wallIso(date) { return date.toISOString().slice(0, 19); }

  function wallNow(zone) {
    var parts = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"
    }).formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
    return new Date(Date.UTC(+parts.year, +parts.month - 1, +parts.day,
      +parts.hour, +parts.minute, +parts.second));
  }

  function describe(date) {
    var days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    var months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
      "Oct", "Nov", "Dec"];
    return days[date.getUTCDay()] + " " + date.getUTCDate() + " " +
      months[date.getUTCMonth()] + " " + date.getUTCFullYear() + ", " +
      pad(date.getUTCHours()) + ":" + pad(date.getUTCMinutes());
  }

  /* An ISO wall time from the feed ("2026-03-29T10:00:00") as text. */
  function describeWall(iso) { return describe(new Date(iso + "Z")); }

  /* What a deferred post's event says about its deferral ("" for none). */
  function deferralText(props) {
    if (!props.deferred) { return ""; }
    var reason = props.deferReason ? ": " + props.deferReason : "";
    if (props.nextAttemptAt) { return "next try " + describeWall(props.nextAttemptAt) + reason; }
    return "waiting for a new time" + reason;
  }

  function node(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text) { el.textContent = text; }
    return el;
  }

  function init() {
    var root = document.getElementById("pd-cal");
    if (!root || !window.FullCalendar) { return; }
    var data = root.dataset;
    var canMove = data.canMove === "1";
    var statusBox = document.getElementById("pd-cal-status");
    var zoneLabel = document.getElementById("pd-cal-zone-label");
    var accountSelect = document.getElementById("pd-cal-account");
    var stateSelect = document.getElementById("pd-cal-state");
    var workspaceSelect = document.getElementById("pd-cal-workspace");
    var csrfInput = document.querySelector("#pd-cal-csrf input[name=csrfmiddlewaretoken]");
    var browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    var zone = data.workspaceZone;
    var moving = null;
    var refocusPost = null;
    var browserZoneName = document.getElementById("pd-cal-browser-zone");
    if (browserZoneName) { browserZoneName.textContent = browserZone; }

    function say(message, kind) {
      statusBox.textContent = message;
      statusBox.className = "pd-cal-status" + (kind ? " pd-cal-status-" + kind : "");
    }

    function composeUrl(date, withTime) {
      var params = new URLSearchParams({ workspace: data.workspace, tz: zone });
      params.set("date", date.toISOString().slice(0, 10));
      params.set("time", withTime ? pad(date.getUTCHours()) + ":" + pad(date.getUTCMinutes()) : "09:00");
      return data.composeUrl + "?" + params.toString();
    }

    function slotUrl(event) {
      return composeUrl(event.start, true) + "&accounts=" + event.extendedProps.accountId;
    }

    function editUrl(postId) { return data.composeEditUrl.replace("{id}", postId); }

    function feed(info, success, failure) {
      var params = new URLSearchParams({
        start: info.startStr.slice(0, 19), end: info.endStr.slice(0, 19),
        workspace: data.workspace, tz: zone
      });
      if (accountSelect.value) { params.set("account", accountSelect.value); }
      if (stateSelect.value) { params.set("state", stateSelect.value); }
      fetch(data.feedUrl + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(success)
        .catch(function () {
          say("The calendar could not load its posts; reload the page.", "error");
          failure(new Error("feed"));
        });
    }

    function content(arg) {
      var props = arg.event.extendedProps;
      if (props.kind === "capacity") {
        var warn = node("div", "pd-cap-title", "\u26a0 " + arg.event.title);
        warn.title = props.messages.join(" ");
        return { domNodes: [warn] };
      }
      if (props.kind === "slot") {
        var slot = node("div", "pd-ev pd-ev-slot");
        slot.appendChild(node("span", "pd-ev-time", props.time));
        slot.appendChild(node("span", "pd-ev-title", "+ free @" + props.username));
        return { domNodes: [slot] };
      }
      var box = node("div", "pd-ev");
      if (props.kind === "next_try") {
        var mark = node("span", "pd-ev-next-mark", "\u21bb");
        mark.appendChild(node("span", "pd-ev-state", " next try"));
        box.appendChild(mark);
      }
      if (props.thumbnail) {
        var img = node("img", "pd-ev-thumb");
        img.src = props.thumbnail; img.alt = ""; img.loading = "lazy";
        box.appendChild(img);
      }
      box.appendChild(node("span", "pd-ev-time", props.time));
      box.appendChild(node("span", "pd-ev-title", arg.event.title));
      var avatars = node("span", "pd-ev-avatars");
      props.accounts.forEach(function (account) {
        if (account.avatar) {
          var a = node("img", "pd-ev-avatar");
          a.src = account.avatar; a.alt = "@" + account.username; a.title = "@" + account.username;
          avatars.appendChild(a);
        } else {
          var i = node("span", "pd-ev-avatar pd-ev-initial", account.username.charAt(0).toUpperCase());
          i.title = "@" + account.username;
          avatars.appendChild(i);
        }
      });
      box.appendChild(avatars);
      box.appendChild(node("span", "pd-ev-state", props.stateLabel));
      if (props.reviewLabel) {
        box.appendChild(node("span", "pd-ev-review pd-review-" + props.review, props.reviewLabel));
      }
      if (props.kind === "next_try" || props.deferred) { box.classList.add("pd-ev-deferred"); }
      if (props.kind === "next_try") {
        box.appendChild(node("span", "pd-ev-next", "next try; planned " + describeWall(props.plannedAt) +
          (props.deferReason ? ": " + props.deferReason : "")));
      } else if (props.deferred) {
        box.appendChild(node("span", "pd-ev-next", deferralText(props)));
      }
      return { domNodes: [box] };
    }

    function mounted(arg) {
      var props = arg.event.extendedProps;
      var el = arg.el;
      if (props.kind === "slot") {
        el.dataset.slot = arg.event.id;
        el.setAttribute("tabindex", "0");
        el.setAttribute("role", "link");
        el.setAttribute("aria-label", "Free queue slot " + describe(arg.event.start) +
          " for @" + props.username + ": new post at this time");
        el.title = "Free queue slot for @" + props.username + ": click for a new post at " + props.time;
        return;
      }
      if (props.kind !== "post" && props.kind !== "next_try") { return; }
      el.dataset.postId = props.postId || arg.event.id;
      el.dataset.eventId = arg.event.id;
      el.setAttribute("tabindex", "0");
      var names = props.accounts.map(function (a) { return "@" + a.username; }).join(", ");
      var deferral = props.kind === "next_try"
        ? ". Next try of the post planned " + describeWall(props.plannedAt) + ". " + props.deferMessage
        : (props.deferred ? ". " + deferralText(props) + ". " + props.deferMessage : "");
      el.setAttribute("aria-label", (props.kind === "next_try" ? "Next try " : "") +
        props.time + " " + arg.event.title + ", " +
        props.stateLabel + (names ? ", " + names : "") + deferral +
        (props.movable ? "" : ". Cannot be moved: " + props.lockedReason));
      el.title = arg.event.title + " (" + props.stateLabel + ")" + deferral +
        (props.movable ? "" : ": " + props.lockedReason);
      if (props.kind === "post" && refocusPost === arg.event.id) {
        refocusPost = null;
        window.setTimeout(function () { el.focus(); }, 0);
      }
    }

    function move(event, start, revert) {
      return fetch(data.moveUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfInput.value },
        body: JSON.stringify({ post: event.id, start: wallIso(start), tz: zone })
      }).then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      }).then(function (result) {
        if (result.ok) {
          say(result.body.message, "ok");
          refocusPost = event.id;
          calendar.refetchEvents();
        } else {
          if (revert) { revert(); }
          say("Not moved: " + (result.body.error || "the server refused."), "error");
        }
      }).catch(function () {
        if (revert) { revert(); }
        say("Not moved: the move could not be saved. Try again.", "error");
      });
    }

    function markDays() {
      var cells = root.querySelectorAll("td.fc-daygrid-day[data-date]");
      var current = root.querySelector("td.fc-daygrid-day[tabindex='0']");
      cells.forEach(function (cell) { cell.setAttribute("tabindex", "-1"); });
      var first = root.querySelector("td.fc-day-today[data-date]") || cells[0];
      if (current && current.isConnected) { first = current; }
      if (first) { first.setAttribute("tabindex", "0"); }
    }

    var phone = window.matchMedia("(max-width: 700px)").matches;
    var calendar = new window.FullCalendar.Calendar(root, {
      timeZone: "UTC",
      now: function () { return wallNow(zone); },
      initialView: phone ? "listWeek" : "dayGridMonth",
      headerToolbar: phone
        ? { left: "prev,next", center: "title", right: "today listWeek,dayGridMonth" }
        : { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek,listWeek" },
      // FullCalendar's arrows are an icon font the CSP's font-src refuses.
      buttonIcons: false,
      buttonText: {
        prev: "\u2039 Previous", next: "Next \u203a", today: "Today",
        month: "Month", week: "Week", list: "List"
      },
      firstDay: 1,
      height: "auto",
      eventDisplay: "block",
      displayEventTime: false,
      defaultTimedEventDuration: "00:30",
      eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      dayMaxEvents: phone ? 2 : 5,
      editable: canMove,
      eventDurationEditable: false,
      eventInteractive: true,
      events: feed,
      // Whether the feed is being asked, for whoever waits for a settled page.
      loading: function (busy) { root.dataset.loading = busy ? "1" : "0"; },
      eventContent: content,
      eventDidMount: mounted,
      eventDrop: function (info) { move(info.event, info.event.start, info.revert); },
      eventClick: function (info) {
        var props = info.event.extendedProps;
        if (props.kind === "slot") {
          info.jsEvent.preventDefault();
          window.location.href = slotUrl(info.event);
          return;
        }
        if (props.kind !== "post" && props.kind !== "next_try") { return; }
        info.jsEvent.preventDefault();
        window.location.href = editUrl(props.postId || info.event.id);
      },
      dateClick: function (info) { window.location.href = composeUrl(info.date, !info.allDay); },
      dayCellDidMount: function (arg) {
        if (!arg.el.matches("td.fc-daygrid-day")) { return; }
        var link = node("a", "pd-cal-add", "+");
        link.href = composeUrl(arg.date, false);
        link.setAttribute("tabindex", "-1");
        link.setAttribute("aria-label", "New post on " + arg.date.toISOString().slice(0, 10));
        link.addEventListener("click", function (e) { e.stopPropagation(); });
        var top = arg.el.querySelector(".fc-daygrid-day-top");
        if (top) { top.insertBefore(link, top.firstChild); }
      },
      datesSet: function () { window.setTimeout(markDays, 0); },
      eventsSet: function () { window.setTimeout(markDays, 0); }
    });
    calendar.render();
    root.calendar = calendar;

    function startMoving(el) {
      var event = calendar.getEventById(el.dataset.eventId);
      if (!event) { return; }
      if (!canMove || !event.extendedProps.movable) {
        say("\u201c" + event.title + "\u201d cannot be moved: " +
          (event.extendedProps.lockedReason || "you may not move posts."), "error");
        return;
      }
      moving = { event: event, el: el, start: new Date(event.start.getTime()) };
      el.classList.add("pd-moving");
      sayMoving();
    }

    function sayMoving() {
      say("Moving \u201c" + moving.event.title + "\u201d to " + describe(moving.start) +
        ". \u2190 \u2192 a day, \u2191 \u2193 an hour, Enter to move it there, Escape to leave it.", "moving");
    }

    function stopMoving() {
      if (moving) { moving.el.classList.remove("pd-moving"); }
      moving = null;
    }

    root.addEventListener("keydown", function (e) {
      var target = e.target;
      var eventEl = target.closest ? target.closest(".fc-event[data-post-id]") : null;
      if (moving && eventEl === moving.el) {
        var steps = { ArrowLeft: -DAY, ArrowRight: DAY, ArrowUp: -HOUR, ArrowDown: HOUR };
        if (steps[e.key]) {
          moving.start = new Date(moving.start.getTime() + steps[e.key]);
          sayMoving();
        } else if (e.key === "Enter") {
          var chosen = moving;
          stopMoving();
          move(chosen.event, chosen.start, null);
        } else if (e.key === "Escape") {
          stopMoving();
          say("Not moved.", "");
        } else { return; }
        e.preventDefault(); e.stopPropagation();
        return;
      }
      var slotEl = target.closest ? target.closest(".fc-event[data-slot]") : null;
      if (slotEl && e.key === "Enter") {
        var slotEvent = calendar.getEventById(slotEl.dataset.slot);
        e.preventDefault(); e.stopPropagation();
        if (slotEvent) { window.location.href = slotUrl(slotEvent); }
        return;
      }
      if (eventEl) {
        if (e.key === "Enter") {
          e.preventDefault(); e.stopPropagation();
          window.location.href = editUrl(eventEl.dataset.postId);
        } else if (e.key === "m" || e.key === "M") {
          e.preventDefault(); e.stopPropagation();
          startMoving(eventEl);
        }
        return;
      }
      if (!target.matches || !target.matches("td.fc-daygrid-day[data-date]")) { return; }
      var cells = Array.prototype.slice.call(root.querySelectorAll("td.fc-daygrid-day[data-date]"));
      var index = cells.indexOf(target);
      var offsets = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
      if (offsets[e.key] !== undefined) {
        var next = cells[index + offsets[e.key]];
        if (next) {
          target.setAttribute("tabindex", "-1");
          next.setAttribute("tabindex", "0");
          next.focus();
        }
        e.preventDefault();
      } else if (e.key === "Enter") {
        e.preventDefault();
        window.location.href = composeUrl(new Date(target.dataset.date + "T09:00:00Z"), false);
      }
    }, true);

    root.addEventListener("focusout", function (e) {
      if (moving && e.target === moving.el) { stopMoving(); }
    });

    accountSelect.addEventListener("change", function () { calendar.refetchEvents(); });
    stateSelect.addEventListener("change", function () { calendar.refetchEvents(); });
    workspaceSelect.addEventListener("change", function () { workspaceSelect.form.submit(); });
    document.querySelectorAll("input[name=zone]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        var mine = radio.value === "browser" && radio.checked;
        zone = mine ? browserZone : data.workspaceZone;
        zoneLabel.textContent = "Times in " + zone +
          (mine ? " (your browser's zone)" : " (the workspace's zone)");
        calendar.refetchEvents();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
