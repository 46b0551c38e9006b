// Write forms (only rendered with --allow-write): send JSON to the API, then reload the page.
document.querySelectorAll("form[data-api]").forEach((form) => {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {};
    new FormData(form).forEach((value, name) => { if (value !== "") body[name] = value; });
    const response = await fetch(form.dataset.api, {
      method: form.dataset.method || "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const out = form.querySelector(".result");
    if (response.ok) { window.location.reload(); return; }
    const data = await response.json().catch(() => ({ error: response.statusText }));
    if (out) out.textContent = data.error || response.statusText;
  });
});
