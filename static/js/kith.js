// Kith JS entry point. Load with:
//   <script type="module" src="{% static 'js/kith.js' %}"></script>
// initAll() only runs when <body> has the "govuk-frontend-supported" class (js-enabled.js adds it).
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

initAll();
