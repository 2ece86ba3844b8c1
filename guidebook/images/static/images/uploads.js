/* The upload page with JavaScript: choose or drop several files, and each one is sent on its
   own with a progress bar (bytes sent), then "checking", then its thumbnail once its renditions
   are ready. A failed or cancelled file can be sent again by itself.

   - With S3 (the form has data-direct-url), a file goes from the browser straight to the
     bucket: the site issues a key and a presigned POST for it, the browser sends the file
     there and confirms it, a worker checks and stores it, and the page polls its status.
     The site is asked about several files at once wherever it can be, since each request
     costs the site about as much as a file's bytes would (docs/benchmarks.md): the keys of
     the files about to be sent in one request, the files that arrive while a confirmation is
     on its way confirmed together in the next, and every pending file's status in one poll.
   - On the local disk, each file goes to the form's own streaming view in a request of its own,
     which answers JSON (Accept: application/json).
   Without this script the form is sent whole, as a plain form. */
(function () {
  "use strict";

  // bench/uploads.py sends, confirms and polls as this script does: keep them in step.
  const POLL_MS = 500; // the first polls' interval: a file takes about a second to be ready
  const MAX_POLL_MS = 4000; // polls slow down to this while files take long (a busy worker)
  const GIVE_UP_MS = 120000; // the worker may be down, and the image's page will say
  const MAX_POLLS = GIVE_UP_MS / POLL_MS;
  const AT_ONCE = 3; // files sent at the same time; the others wait their turn
  const KEYS_AT_ONCE = 20; // files whose keys are asked for in one request
  const IDS_AT_ONCE = 50; // files whose statuses one poll asks for (the site's limit)
  const KEY_MARGIN_MS = 60000; // a key this close to its policy's end is asked for again
  const CANCELLED = new Error("Cancelled");

  function start() {
    const form = document.querySelector("form[data-upload-url]");
    const template = document.getElementById("upload-item");
    if (!form || !template || !window.fetch || !window.FormData) return;
    const input = form.querySelector("input[type=file]");
    const list = form.querySelector(".upload-list");
    const summary = form.querySelector(".upload-summary");
    const token = form.querySelector("[name=csrfmiddlewaretoken]").value;
    const items = [];
    let sending = 0;

    function details(extra) {
      // The form's description and visibility (and its CSRF token), without its files.
      const data = new FormData(form);
      data.delete(input.name);
      Object.keys(extra).forEach((name) => data.append(name, extra[name]));
      return data;
    }

    async function postForJSON(url, data) {
      const response = await fetch(url, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(refusal(body, response.status));
      return body;
    }

    async function poll(url, done) {
      for (let polls = 0; polls < MAX_POLLS; polls += 1) {
        // Waiting first: nothing is ready the moment a file has been sent.
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        const status = await statusAt(url);
        if (status && done(status)) return status;
      }
      throw new Error("Still being prepared; it will show on your images page when ready.");
    }

    async function statusAt(url) {
      try {
        const response = await fetch(url, {
          credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" },
        });
        return response.ok ? await response.json() : null;
      } catch (error) {
        return null; // a network hiccup: ask again next time
      }
    }

    // ---- keys: asked for with the waiting files that have none, in one request
    function fresh(item) {
      return item.issuing && !(item.expiresAt && Date.now() > item.expiresAt);
    }

    function keyFor(item) {
      if (fresh(item)) return item.issuing;
      const others = items.filter((other) => other !== item && other.state === "waiting");
      const group = [item, ...others.filter((other) => !fresh(other))].slice(0, KEYS_AT_ONCE);
      // URL-encoded, not multipart: Django reads it in a fraction of the time, and a
      // selection's keys are dozens of fields.
      const data = new URLSearchParams(details({}));
      group.forEach(({ file }) => {
        data.append("name", file.name);
        data.append("content_type", file.type);
        data.append("size", file.size);
      });
      const asked = askForKeys(data);
      group.forEach((member, n) => {
        const issuing = asked.then((issued) => {
          const own = issued[n];
          if (own.error) throw new Error("Refused: " + own.error);
          member.expiresAt = Date.now() + 1000 * own.expires_in - KEY_MARGIN_MS;
          return own;
        });
        // Refused or not answered: a retry asks again. (This also keeps a file cancelled
        // before its turn, which never reads its key, from an unhandled rejection.)
        issuing.catch(() => {
          if (member.issuing === issuing) member.issuing = null;
        });
        member.issuing = issuing;
        member.expiresAt = 0;
      });
      return item.issuing;
    }

    async function askForKeys(data) {
      // One file: its key, as the site answered from the first; several: {"uploads": [...]}.
      const response = await fetch(form.dataset.directUrl, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      const body = await response.json().catch(() => ({}));
      if (body.uploads) {
        const urls = { confirm_url: body.confirm_url, statuses_url: body.statuses_url,
                       expires_in: body.expires_in };
        return body.uploads.map((issued) => Object.assign(issued, urls));
      }
      if (!response.ok) throw new Error(refusal(body, response.status));
      return [body];
    }

    // ---- confirmations: the files that arrive while one is on its way go together next
    const toConfirm = [];
    let confirming = false;

    function confirm(issued) {
      return new Promise((resolve, reject) => {
        toConfirm.push({ issued, resolve, reject });
        confirmWaiting();
      });
    }

    async function confirmWaiting() {
      if (confirming || !toConfirm.length) return;
      confirming = true;
      const batch = toConfirm.splice(0, KEYS_AT_ONCE);
      const data = new URLSearchParams({ csrfmiddlewaretoken: token });
      batch.forEach(({ issued }) => data.append("key", issued.key));
      try {
        const body = await postForJSON(batch[0].issued.confirm_url, data);
        const outcomes = body.uploads || [body];
        batch.forEach((waiter, n) => {
          if (outcomes[n].error) waiter.reject(new Error("Refused: " + outcomes[n].error));
          else waiter.resolve(outcomes[n]);
        });
      } catch (error) {
        batch.forEach((waiter) => waiter.reject(error));
      } finally {
        confirming = false;
        confirmWaiting();
      }
    }

    // ---- statuses: every file waiting for its thumbnail, in one poll
    const watched = new Map(); // upload id -> {done, resolve, reject, since}
    let pollTimer = null;
    let pollDue = 0;
    let polling = false;

    function watch(issued, done) {
      return new Promise((resolve, reject) => {
        watched.set(String(issued.id), {
          url: issued.statuses_url, done, resolve, reject, since: Date.now(),
        });
        schedulePoll(POLL_MS); // waiting first: nothing is ready the moment a file is sent
      });
    }

    function schedulePoll(delay) {
      const due = Date.now() + delay;
      if (pollTimer !== null && pollDue <= due) return; // a poll comes sooner already
      clearTimeout(pollTimer);
      pollDue = due;
      pollTimer = setTimeout(pollWatched, delay);
    }

    function pollInterval() {
      // Every POLL_MS until the newest file has waited 2 s, then a quarter of its wait (a busy
      // worker, or one that is down), up to MAX_POLL_MS.
      const now = Date.now();
      const newest = Math.min(...Array.from(watched.values(), (w) => now - w.since));
      return Math.min(MAX_POLL_MS, Math.max(POLL_MS, newest / 4));
    }

    async function pollWatched() {
      pollTimer = null;
      if (!watched.size) return;
      if (polling) return schedulePoll(POLL_MS);
      polling = true;
      const ids = Array.from(watched.keys());
      const url = watched.get(ids[0]).url + "?ids=";
      const parts = [];
      for (let at = 0; at < ids.length; at += IDS_AT_ONCE) {
        parts.push(statusAt(url + ids.slice(at, at + IDS_AT_ONCE).join(",")));
      }
      const answers = await Promise.all(parts);
      const statuses = Object.assign({}, ...answers.map((body) => body && body.uploads));
      polling = false;
      const now = Date.now();
      ids.forEach((id) => {
        const watcher = watched.get(id);
        const status = statuses[id];
        try {
          if (status && watcher.done(status)) {
            watched.delete(id);
            watcher.resolve(status);
          } else if (now - watcher.since > GIVE_UP_MS) {
            throw new Error("Still being prepared; it will show on your images page when ready.");
          }
        } catch (error) {
          watched.delete(id);
          watcher.reject(error);
        }
      });
      if (watched.size) schedulePoll(pollInterval());
    }

    function refusal(body, status) {
      const reasons = body.error ? [body.error] : body.errors || [];
      return reasons.length ? "Refused: " + reasons.join(" ") : "The site answered " + status + ".";
    }

    function parsed(text) {
      try {
        return JSON.parse(text);
      } catch (error) {
        return {}; // not the site's JSON: a proxy's error page, say
      }
    }

    function storageRefusal(xhr) {
      const message = /<Message>([^<]*)<\/Message>/.exec(xhr.responseText || "");
      return "The storage refused the file" + (message ? ": " + message[1] : " (" + xhr.status + ").");
    }

    class Upload {
      constructor(file) {
        this.file = file;
        this.node = template.content.firstElementChild.cloneNode(true);
        this.bar = this.node.querySelector("progress");
        this.status = this.node.querySelector(".upload-status");
        this.retry = this.node.querySelector(".upload-retry");
        this.cancel = this.node.querySelector(".upload-cancel");
        this.node.querySelector(".upload-name").textContent = file.name;
        this.bar.setAttribute("aria-label", "Sending " + file.name);
        this.retry.setAttribute("aria-label", "Retry " + file.name);
        this.cancel.setAttribute("aria-label", "Cancel " + file.name);
        this.retry.addEventListener("click", () => this.queue());
        this.cancel.addEventListener("click", () => this.stop());
        this.xhr = null;
        this.issuing = null; // the promise of this file's key, once asked for
        this.expiresAt = 0;
        this.say("Chosen: press Upload to send it.", "chosen");
      }

      say(text, state) {
        if (text === this.status.textContent && state === this.state) return; // said already
        this.state = state;
        this.node.dataset.state = state;
        this.status.textContent = text;
        this.cancel.hidden = !["chosen", "waiting", "sending"].includes(state);
        this.retry.hidden = !["failed", "cancelled"].includes(state);
      }

      queue() {
        this.wait();
        next();
      }

      wait() {
        this.bar.value = 0;
        this.say("Waiting to be sent…", "waiting");
      }

      stop() {
        if (this.xhr) this.xhr.abort();
        else this.say("Cancelled.", "cancelled");
      }

      send(url, data, headers) {
        if (this.state === "cancelled") return Promise.reject(CANCELLED);
        // XMLHttpRequest, not fetch: only it reports the bytes sent as they go.
        const xhr = new XMLHttpRequest();
        this.xhr = xhr;
        xhr.open("POST", url);
        Object.keys(headers || {}).forEach((name) => xhr.setRequestHeader(name, headers[name]));
        xhr.upload.addEventListener("progress", (event) => {
          if (!event.lengthComputable) return;
          this.bar.max = event.total;
          this.bar.value = event.loaded;
        });
        xhr.upload.addEventListener("load", () => this.say("Checking…", "checking"));
        return new Promise((resolve, reject) => {
          xhr.addEventListener("load", () => resolve(xhr));
          xhr.addEventListener("error", () => reject(new Error("The connection failed.")));
          xhr.addEventListener("abort", () => reject(CANCELLED));
          xhr.send(data);
        }).finally(() => { this.xhr = null; });
      }

      async sendThroughSite() {
        const xhr = await this.send(form.dataset.uploadUrl, details({ [input.name]: this.file }),
                                    { Accept: "application/json" });
        const body = parsed(xhr.responseText);
        if (xhr.status !== 201) throw new Error(refusal(body, xhr.status));
        return body.images[0].renditions_url;
      }

      async sendToBucket() {
        const file = this.file;
        const issued = await keyFor(this);
        const data = new FormData();
        Object.keys(issued.post.fields).forEach((name) => data.append(name, issued.post.fields[name]));
        data.append("file", file); // last: S3 ignores the fields after the file
        const xhr = await this.send(issued.post.url, data);
        this.issuing = null; // used: sending again takes a new key
        if (xhr.status < 200 || xhr.status >= 300) throw new Error(storageRefusal(xhr));
        await confirm(issued);
        return issued; // the worker's check, then the renditions, in one status
      }

      follow(status) {
        // Whether the thumbnail is ready (or will never be); "stored" once the file is checked.
        if (status.state === "refused") throw new Error("Refused: " + status.error);
        if (status.ready || status.failed) return true;
        if (!["waiting", "checking"].includes(status.state)) {
          this.say("Stored; making its thumbnail…", "checking");
        }
        return false;
      }

      async run(release) {
        // `release` frees this file's place among the AT_ONCE being sent once it has been
        // sent: the wait for its thumbnail takes none, and is one poll for all the files.
        this.say("Sending…", "sending");
        try {
          const follow = (status) => this.follow(status);
          let image;
          if (form.dataset.directUrl) {
            const issued = await this.sendToBucket();
            release();
            image = await watch(issued, follow);
          } else {
            const url = await this.sendThroughSite();
            release();
            image = await poll(url, follow);
          }
          if (image.failed) {
            this.say("Stored, but its smaller versions could not be made (see its page).", "done");
          } else {
            this.show(image);
            this.say("Ready.", "done");
          }
        } catch (error) {
          if (error === CANCELLED) this.say("Cancelled.", "cancelled");
          else this.say(error.message, "failed");
        } finally {
          release();
        }
      }

      show(image) {
        const link = document.createElement("a");
        link.href = image.url;
        const thumbnail = document.createElement("img");
        thumbnail.src = image.thumbnail;
        thumbnail.alt = image.alt || this.file.name;
        link.appendChild(thumbnail);
        this.node.querySelector(".upload-thumb").replaceChildren(link);
      }
    }

    function next() {
      for (const item of items) {
        if (sending >= AT_ONCE) return;
        if (item.state !== "waiting") continue;
        sending += 1;
        let released = false;
        const release = () => {
          if (released) return;
          released = true;
          sending -= 1;
          next();
        };
        item.run(release).finally(summarise);
      }
    }

    function summarise() {
      // Once nothing is on its way, say how many were uploaded, as the plain form does.
      const busy = items.some((item) => ["waiting", "sending", "checking"].includes(item.state));
      const done = items.filter((item) => item.state === "done").length;
      if (busy || !done) return;
      summary.querySelector("span").textContent = done + " image(s) uploaded.";
      summary.hidden = false;
    }

    function choose(files) {
      Array.from(files).forEach((file) => {
        const item = new Upload(file);
        items.push(item);
        list.appendChild(item.node);
      });
      list.hidden = !items.length;
      input.value = ""; // the list holds them now; choosing again adds more
    }

    input.addEventListener("change", () => choose(input.files));
    form.addEventListener("dragover", (event) => {
      event.preventDefault();
      form.classList.add("dropping");
    });
    form.addEventListener("dragleave", () => form.classList.remove("dropping"));
    form.addEventListener("drop", (event) => {
      event.preventDefault();
      form.classList.remove("dropping");
      choose(event.dataTransfer.files);
    });
    form.addEventListener("submit", (event) => {
      const chosen = items.filter((item) => item.state === "chosen");
      if (!chosen.length) return; // nothing chosen: the plain form says what is missing
      event.preventDefault();
      chosen.forEach((item) => item.wait()); // all waiting first: their keys are asked together
      next();
    });
    form.querySelector(".upload-drop-hint").hidden = false;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
