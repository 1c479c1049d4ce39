// The composer (issue 11; docs/tiktok.md §8). A static file: the
// Content-Security-Policy allows no inline script. The server checks every
// rule again; this file only shows them as the user types.
"use strict";

(() => {
  const form = document.getElementById("composer");
  const dataNode = document.getElementById("compose-data");
  if (!form || !dataNode) {
    return;
  }
  const data = JSON.parse(dataNode.textContent);
  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));
  const panelsBox = $("#compose-panels");
  const caption = $("#compose-caption");
  const photoTitle = $("#compose-photo-title");
  const photoCover = $("#compose-photo-cover");
  const video = $("#preview-video");
  const photo = $("#preview-photo");
  const cover = $("#compose-cover");
  const coverMs = $("#compose-cover-ms");
  const aigc = $("#compose-aigc");
  const submit = $("#compose-submit");
  const PRIVATE = "SELF_ONLY";
  const BRANDED_NOT_PRIVATE = "Branded content visibility cannot be set to private.";

  // TikTok counts text in UTF-16 code units (§4.3), as JavaScript strings do:
  // an emoji outside the BMP is a surrogate pair and counts 2. The server
  // counts the same way (client/text.py utf16_length).
  const utf16Length = (text) => text.length;
  const number = (value) => new Intl.NumberFormat("en").format(value);

  // --- media ----------------------------------------------------------------
  const mediaInputs = () => $$("input[name=media_ids]", form);
  const chosenMedia = () =>
    mediaInputs()
      .filter((input) => input.checked)
      .map((input) => ({
        id: input.value,
        kind: input.dataset.kind,
        src: input.dataset.src,
        durationMs: input.dataset.durationMs ? Number(input.dataset.durationMs) : null,
        name: input.closest("label").textContent.trim(),
      }));
  const mediaKind = () => {
    const chosen = chosenMedia();
    if (chosen.some((item) => item.kind === "video")) {
      return "video";
    }
    return chosen.length ? "photo" : "";
  };
  const chosenVideo = () => chosenMedia().find((item) => item.kind === "video") || null;

  form.addEventListener("change", (event) => {
    const input = event.target;
    if (input.name !== "media_ids" || !input.checked) {
      return;
    }
    // One video, or photos only: a new choice of the other kind replaces.
    for (const other of mediaInputs()) {
      if (other === input || !other.checked) {
        continue;
      }
      if (input.dataset.kind === "video" || other.dataset.kind === "video") {
        other.checked = false;
      }
    }
  });

  // --- preview --------------------------------------------------------------
  const showPreview = () => {
    const kind = mediaKind();
    const chosen = chosenMedia();
    const first = chosen[0];
    $("#preview-empty").hidden = Boolean(first);
    if (kind === "video") {
      photo.hidden = true;
      if (video.dataset.src !== first.src) {
        video.dataset.src = first.src;
        video.src = first.src;
        video.play().catch(() => {});
      }
      video.hidden = false;
    } else {
      video.hidden = true;
      video.pause();
      if (kind === "photo") {
        const index = Math.min(Number(photoCover.value || 0), chosen.length - 1);
        photo.src = chosen[Math.max(index, 0)].src;
        photo.hidden = false;
      } else {
        photo.hidden = true;
      }
    }
    $("#preview-caption").textContent = kind === "photo" && photoTitle.value
      ? `${photoTitle.value}\n${caption.value}`
      : caption.value;
    const firstTarget = $$("input[name=targets]", form).find((input) => input.checked);
    $("#preview-user").textContent = firstTarget ? `@${firstTarget.dataset.username}` : "";
    $("#preview-aigc").hidden = !(aigc.checked && kind === "video");
  };

  const syncPhotoCovers = () => {
    const photos = chosenMedia().filter((item) => item.kind === "photo");
    const wanted = photos.map((item, index) => `Photo ${index + 1}: ${item.name}`);
    const current = Array.from(photoCover.options).map((option) => option.textContent);
    if (wanted.join("\n") === current.join("\n")) {
      return;
    }
    const previous = photoCover.value || photoCover.dataset.initial || "0";
    photoCover.replaceChildren(
      ...wanted.map((label, index) => new Option(label, String(index)))
    );
    photoCover.value = Number(previous) < wanted.length ? previous : "0";
  };

  const syncCover = () => {
    const chosen = chosenVideo();
    if (!chosen || !chosen.durationMs) {
      return;
    }
    cover.max = String(chosen.durationMs);
    // The slider's value was clamped to the markup's max of 0: restore it.
    cover.value = coverMs.value || "0";
  };
  cover.addEventListener("input", () => {
    const ms = Number(cover.value);
    coverMs.value = String(ms);
    video.pause();
    video.currentTime = ms / 1000;
    $("#compose-cover-label").textContent =
      `Cover: the frame at ${(ms / 1000).toFixed(1)} s (video_cover_timestamp_ms ${ms}).`;
  });

  // --- panels ---------------------------------------------------------------
  const panelFor = (accountId) => $(`.composer-panel[data-account-id="${accountId}"]`, panelsBox);

  const placePanel = (node) => {
    const order = $$("input[name=targets]", form).map((input) => input.value);
    const position = order.indexOf(node.dataset.accountId);
    const after = $$(".composer-panel", panelsBox).find(
      (other) => order.indexOf(other.dataset.accountId) > position
    );
    panelsBox.insertBefore(node, after || null);
  };

  const setChecked = (input, value) => {
    if (input && !input.disabled) {
      input.checked = Boolean(value);
    }
  };

  const applyValues = (panel, values) => {
    if (!values) {
      return;
    }
    const field = (name) => $(`[name$="-${name}"]`, panel);
    const mode = $(`input[name$="-mode"][value="${values.mode}"]`, panel);
    setChecked(mode, true);
    const privacy = field("privacy_level");
    if (privacy && $$("option", privacy).some((option) => option.value === values.privacy_level)) {
      privacy.value = values.privacy_level;
    }
    for (const name of ["allow_comment", "allow_duet", "allow_stitch", "disclose", "brand_organic", "brand_content"]) {
      setChecked(field(name), values[name]);
    }
  };

  const applyErrors = (panel) => {
    const prefix = `target:${panel.dataset.accountId}`;
    for (const [key, messages] of Object.entries(data.targetErrors || {})) {
      if (key !== prefix && !key.startsWith(`${prefix}:`)) {
        continue;
      }
      const fieldName = key.slice(prefix.length + 1);
      const slot = $(`[data-error-for="${fieldName}"]`, panel) || $('[data-error-for=""]', panel);
      slot.textContent = [slot.textContent, ...messages].filter(Boolean).join(" ");
      slot.hidden = false;
    }
  };

  // Placeholders first, then a few requests at once, each for several
  // accounts that the server asks TikTok about in parallel.
  // A failed request (a busy server, a dropped connection) is asked once more
  // before the panel says it could not load.
  const fetchPanels = (holders, attempt = 1) => {
    const ids = holders.map((holder) => holder.dataset.accountId).join(",");
    const url = `${data.panelsUrl}?workspace=${data.workspace}&accounts=${ids}`;
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then((response) => {
        if (!response.ok) {
          throw new Error(`the server answered ${response.status}`);
        }
        return response.text();
      })
      .then((html) => {
        const template = document.createElement("template");
        template.innerHTML = html;
        for (const panel of Array.from(template.content.querySelectorAll(".composer-panel"))) {
          const accountId = panel.dataset.accountId;
          const holder = holders.find((item) => item.dataset.accountId === accountId);
          if (!holder || !holder.isConnected) {
            continue;
          }
          holder.replaceWith(panel);
          applyValues(panel, (data.targetValues || {})[accountId]);
          applyErrors(panel);
          document.dispatchEvent(
            new CustomEvent("composer:panel", { detail: { accountId, at: performance.now() } })
          );
        }
        refresh();
      })
      .catch((error) => {
        if (attempt < 2) {
          window.setTimeout(() => fetchPanels(holders, attempt + 1), 1000);
          return;
        }
        for (const holder of holders) {
          holder.dataset.state = "blocked";
          holder.textContent =
            `Could not load the panel for @${holder.dataset.username} (${error.message}). Reload the page to try again.`;
        }
        refresh();
      });
  };

  const syncPanels = () => {
    const holders = [];
    for (const input of $$("input[name=targets]", form)) {
      const panel = panelFor(input.value);
      if (!input.checked) {
        if (panel) {
          panel.remove();
        }
        continue;
      }
      if (panel) {
        continue;
      }
      const holder = document.createElement("section");
      holder.className = "composer-panel";
      holder.dataset.accountId = input.value;
      holder.dataset.username = input.dataset.username;
      holder.dataset.state = "loading";
      holder.textContent = `Asking TikTok what @${input.dataset.username} may post right now…`;
      placePanel(holder);
      holders.push(holder);
    }
    const groups = Array.from({ length: Math.min(data.panelRequests, holders.length) }, () => []);
    holders.forEach((holder, index) => groups[index % groups.length].push(holder));
    groups.forEach((group) => fetchPanels(group));
  };

  const refreshPanel = (panel, kind, problems) => {
    const username = panel.dataset.username;
    if (panel.dataset.state === "loading") {
      problems.push(`Waiting for TikTok's answer for @${username}.`);
      return { branded: false };
    }
    if (panel.dataset.state !== "ready") {
      problems.push(`@${username} cannot be posted to now (see its panel): remove it or try later.`);
      return { branded: false };
    }
    const modeInput = $('input[name$="-mode"]:checked', panel);
    const direct = !modeInput || modeInput.value === "direct";
    $$("[data-direct-only]", panel).forEach((node) => { node.hidden = !direct; });
    $$("[data-draft-only]", panel).forEach((node) => { node.hidden = direct; });
    $$("[data-video-only]", panel).forEach((node) => { node.hidden = kind === "photo"; });

    const maxSec = panel.dataset.maxDurationSec ? Number(panel.dataset.maxDurationSec) : null;
    const chosen = chosenVideo();
    const tooLong = kind === "video" && chosen && chosen.durationMs && maxSec !== null
      && chosen.durationMs > maxSec * 1000;
    const durationBlock = $("[data-duration-block]", panel);
    if (durationBlock) {
      durationBlock.hidden = !tooLong;
      durationBlock.textContent = tooLong
        ? `This video is ${Math.ceil(chosen.durationMs / 1000)} s long; @${username} may post videos of at most ${maxSec} s. Choose a shorter video or remove this account.`
        : "";
    }
    if (tooLong) {
      problems.push(`The video is longer than @${username} may post (${maxSec} s).`);
    }
    if (!direct) {
      return { branded: false };
    }
    const privacy = $("[data-privacy]", panel);
    const disclose = $("[data-disclose]", panel);
    const organic = $("[data-brand-organic]", panel);
    const branded = $("[data-brand-content]", panel);
    if (!disclose.checked) {
      organic.checked = false;
      branded.checked = false;
    }
    // Branded content cannot be private (§8.4), both ways round.
    const privateOption = $("option[data-private]", privacy);
    if (privateOption) {
      privateOption.disabled = branded.checked;
      privateOption.title = branded.checked ? BRANDED_NOT_PRIVATE : "";
      if (branded.checked && privacy.value === PRIVATE) {
        privacy.value = "";
      }
    }
    const isPrivate = privacy.value === PRIVATE;
    branded.disabled = isPrivate;
    $("[data-branded-label]", panel).classList.toggle("composer-disabled", isPrivate);
    $("[data-branded-private]", panel).hidden = !isPrivate;

    $("[data-disclosure-choices]", panel).hidden = !disclose.checked;
    const needOne = disclose.checked && !organic.checked && !branded.checked;
    $("[data-disclosure-needed]", panel).hidden = !needOne;
    const noun = kind === "photo" ? "photo" : "video";
    let label = "";
    if (disclose.checked && branded.checked) {
      label = `Your ${noun} will be labeled as 'Paid partnership'`;
    } else if (disclose.checked && organic.checked) {
      label = `Your ${noun} will be labeled as 'Promotional content'`;
    }
    $("[data-label-line]", panel).textContent = label;

    if (!privacy.value) {
      problems.push(`Choose who can view the post for @${username}.`);
    }
    if (needOne) {
      problems.push(`@${username}: you need to indicate if your content promotes yourself, a third party, or both.`);
    }
    return { branded: disclose.checked && branded.checked };
  };

  // --- counters, when, declaration, button ------------------------------------
  const count = (node, text, limit) => {
    const used = utf16Length(text);
    node.textContent = `${number(used)} / ${number(limit)}`;
    node.classList.toggle("composer-over", used > limit);
    return used <= limit;
  };

  // Minutes east of UTC that ``zone`` is at ``instant`` (ms since the epoch).
  const offsetAt = (zone, instant) => {
    const part = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" })
      .formatToParts(new Date(instant))
      .find((item) => item.type === "timeZoneName").value;
    const match = /GMT([+-])(\d{2}):(\d{2})/.exec(part);
    return match ? (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
  };
  const formatOffset = (minutes) => {
    const pad = (value) => String(value).padStart(2, "0");
    const abs = Math.abs(minutes);
    return `UTC${minutes < 0 ? "\u2212" : "+"}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  };
  // The offsets a wall time can have in ``zone``: one normally, none in a
  // spring-forward gap, two in a fall-back fold (the server asks which).
  const wallOffsets = (zone, dateValue, timeValue) => {
    const wall = Date.parse(`${dateValue}T${timeValue}:00Z`);
    const candidates = new Set([
      offsetAt(zone, wall - 86400000),
      offsetAt(zone, wall + 86400000),
      offsetAt(zone, wall),
    ]);
    return Array.from(candidates)
      .filter((minutes) => offsetAt(zone, wall - minutes * 60000) === minutes)
      .sort((a, b) => b - a);
  };

  const describeWhen = (later, zone, dateValue, timeValue) => {
    try {
      if (!(later && dateValue && timeValue)) {
        return `${zone} is ${formatOffset(offsetAt(zone, Date.now()))} now.`;
      }
      const offsets = wallOffsets(zone, dateValue, timeValue);
      const typed = `${dateValue} ${timeValue} in ${zone}`;
      if (!offsets.length) {
        return `${typed} does not exist: the clocks go forward that night. You will be offered the nearest valid times.`;
      }
      if (offsets.length > 1) {
        return `${typed} happens twice (${offsets.map(formatOffset).join(" and ")}): the clocks go back that night. You will be asked which one.`;
      }
      return `${typed} is ${formatOffset(offsets[0])} on that day.`;
    } catch (error) {
      return "";
    }
  };

  const refreshWhen = (problems) => {
    const when = $("input[name=when]:checked", form)?.value;
    const later = when === "later";
    $("[data-when-later]", form).hidden = !later;
    $("[data-when-queue]", form).hidden = when !== "queue";
    submit.textContent = later ? "Schedule" : when === "queue" ? "Add to queue" : "Publish now";
    const dateValue = $("#compose-date").value;
    const timeValue = $("#compose-time").value;
    $("#compose-offset").textContent = describeWhen(later, $("#compose-zone").value, dateValue, timeValue);
    if (later && !(dateValue && timeValue)) {
      problems.push("Enter the date and the time to publish at.");
    }
  };

  let refreshing = false;
  function refresh() {
    if (refreshing) {
      return;
    }
    refreshing = true;
    try {
      const problems = [];
      const kind = mediaKind();
      form.dataset.mediaKind = kind;
      $$("[data-video-only]", form).forEach((node) => {
        if (!node.closest(".composer-panel")) {
          node.hidden = kind !== "video";
        }
      });
      $$("[data-photo-only]", form).forEach((node) => { node.hidden = kind !== "photo"; });
      if (kind !== "video") {
        // Only a video has a cover frame and the AI-generated label (§4.3).
        aigc.checked = false;
        coverMs.value = "";
      }
      syncPhotoCovers();
      syncCover();
      showPreview();
      const captionLimit = kind === "photo" ? Number(form.dataset.limitPhotoDescription) : Number(form.dataset.limitVideo);
      if (!count($("#caption-counter"), caption.value, captionLimit)) {
        problems.push(`The caption is longer than TikTok allows (${number(captionLimit)}).`);
      }
      if (kind === "photo" && !count($("#photo-title-counter"), photoTitle.value, Number(form.dataset.limitPhotoTitle))) {
        problems.push("The photo title is longer than TikTok allows (90).");
      }
      if (!kind) {
        problems.push("Choose a video or photos.");
      }
      const targets = $$("input[name=targets]", form).filter((input) => input.checked);
      if (!targets.length) {
        problems.push("Choose at least one account to post to.");
      }
      let anyBranded = false;
      for (const panel of $$(".composer-panel", panelsBox)) {
        anyBranded = refreshPanel(panel, kind, problems).branded || anyBranded;
      }
      $('[data-declaration="music"]', form).hidden = anyBranded;
      $('[data-declaration="branded"]', form).hidden = !anyBranded;
      refreshWhen(problems);
      const blockers = $("#compose-blockers");
      blockers.replaceChildren(...problems.map((text) => {
        const item = document.createElement("li");
        item.textContent = text;
        return item;
      }));
      submit.disabled = problems.length > 0;
      submit.title = problems.join(" ");
    } finally {
      refreshing = false;
    }
  }

  form.addEventListener("input", (event) => {
    if (["when_date", "when_time", "time_zone"].includes(event.target.name)) {
      // A new wall time: an earlier answer about a DST gap or fold no longer applies.
      $("#compose-fold").value = "";
      $$("input[name=when_pick]", form).forEach((input) => { input.checked = false; });
    }
    refresh();
  });
  form.addEventListener("change", (event) => {
    if (event.target.name === "targets") {
      syncPanels();
    }
    if (event.target.name === "when_pick") {
      const [wall] = event.target.value.split("|");
      $("#compose-date").value = wall.slice(0, 10);
      $("#compose-time").value = wall.slice(11, 16);
    }
    refresh();
  });
  let sending = false;
  form.addEventListener("submit", (event) => {
    if (sending || submit.disabled) {
      event.preventDefault();
      return;
    }
    sending = true;
    submit.classList.add("composer-sending");
  });

  syncPanels();
  refresh();
})();
