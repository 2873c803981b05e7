// Warns before an idle session ends and lets the person stay signed in (WCAG 2.2.1).
// The server ends a session after data-session-seconds of inactivity; any request resets it.
const body = document.body;
const dialog = document.getElementById("kith-timeout-dialog");
const seconds = Number(body.dataset.sessionSeconds || 0);
const warnBefore = 5 * 60;

if (dialog && seconds > warnBefore) {
  const form = dialog.querySelector("form[data-extend]");
  const countdown = dialog.querySelector("[data-countdown]");
  let warnTimer, endTimer, tick;

  const schedule = () => {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    clearInterval(tick);
    warnTimer = setTimeout(warn, (seconds - warnBefore) * 1000);
    endTimer = setTimeout(() => window.location.assign(body.dataset.signedOutUrl), seconds * 1000);
  };

  const warn = () => {
    let left = warnBefore;
    const show = () => {
      const minutes = Math.ceil(left / 60);
      // The words come from the page, in its language.
      countdown.textContent =
        minutes === 1
          ? countdown.dataset.oneMinute
          : countdown.dataset.minutes.replace("{minutes}", minutes);
    };
    show();
    tick = setInterval(() => {
      left -= 60;
      if (left > 0) show();
    }, 60000);
    dialog.showModal();
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
    });
    if (response.ok) {
      dialog.close();
      schedule();
    } else {
      window.location.assign(body.dataset.signedOutUrl);
    }
  });

  schedule();
}
