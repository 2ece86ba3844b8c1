/* The upload page with JavaScript: choose or drop several files, and each one is sent on its
   own with a progress bar (bytes sent), then "checking", then its thumbnail once its renditions
   are ready. A failed or cancelled file can be sent again by itself.

   - With S3 (the form has data-direct-url), a file goes from the browser straight to the
     bucket: the site issues a key and a presigned POST for it, the browser sends the file
     there and confirms it, a worker checks and stores it, and the page polls its status.
   - On the local disk, each file goes to the form's own streaming view in a request of its own,
     which answers JSON (Accept: application/json).
   Without this script the form is sent whole, as a plain form. */
(function () {
  "use strict";

  const POLL_MS = 500; // bench/uploads.py polls at the same interval to time "thumbnail shown"
  const MAX_POLLS = 240; // two minutes: the worker may be down, and the image's page will say
  const AT_ONCE = 3; // files sent at the same time; the others wait their turn
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
        this.bar.value = 0;
        this.say("Waiting to be sent…", "waiting");
        next();
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
        const issued = await postForJSON(form.dataset.directUrl, details({
          name: file.name, content_type: file.type, size: file.size,
        }));
        const data = new FormData();
        Object.keys(issued.post.fields).forEach((name) => data.append(name, issued.post.fields[name]));
        data.append("file", file); // last: S3 ignores the fields after the file
        const xhr = await this.send(issued.post.url, data);
        if (xhr.status < 200 || xhr.status >= 300) throw new Error(storageRefusal(xhr));
        const confirmation = new FormData();
        confirmation.append("csrfmiddlewaretoken", token);
        confirmation.append("key", issued.key);
        await postForJSON(issued.confirm_url, confirmation);
        return issued.status_url; // the worker's check, then the renditions, in one status
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

      async run() {
        this.say("Sending…", "sending");
        try {
          const url = await (form.dataset.directUrl ? this.sendToBucket() : this.sendThroughSite());
          const image = await poll(url, (status) => this.follow(status));
          if (image.failed) {
            this.say("Stored, but its smaller versions could not be made (see its page).", "done");
          } else {
            this.show(image);
            this.say("Ready.", "done");
          }
        } catch (error) {
          if (error === CANCELLED) this.say("Cancelled.", "cancelled");
          else this.say(error.message, "failed");
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
        item.run().finally(() => {
          sending -= 1;
          next();
          summarise();
        });
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
      chosen.forEach((item) => item.queue());
    });
    form.querySelector(".upload-drop-hint").hidden = false;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
