// The calendar page: FullCalendar (month, week and list views) fed by
// /api/v1/calendar/?start=&end=&layer= with the filters of the form above it, one event
// source per layer (releases, changes, windows), fetched side by side; the reader shows
// or hides each layer (remembered by the browser). A change of a filter fetches again and
// keeps the address of the page in step with it. A month (or its list) is asked day by
// day: the first PER_DAY entries of each kind a day, and for a busy day one more entry,
// "+N more", which opens the day's list with all of them. Once the reader moves, the
// address holds the view and its first day (?view=listDay&date=). Times are shown in the service's time zone (the luxon plugin),
// the one the server counts the days in.
document.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("calendar");
  if (!element || !window.FullCalendar) return;
  var form = document.getElementById("calendar-filters");
  var status = document.getElementById("calendar-status");
  var narrow = window.matchMedia("(max-width: 760px)").matches;
  var layers = document.querySelectorAll("#calendar-layers input[name=layer]");
  var HIDDEN = "calendar.hidden-layers";
  var PER_DAY = 4; // the entries of each kind a day of a month shows
  var LONG = 8 * 24 * 3600 * 1000; // a range longer than a week is asked day by day
  var MORE = {
    releases: ["milestone", "milestones"],
    changes: ["change window", "change windows"],
    windows: ["window", "windows"],
  };
  var VIEWS = ["dayGridMonth", "timeGridWeek", "listMonth", "listDay"];
  var asked = new URLSearchParams(window.location.search);
  var firstView = VIEWS.indexOf(asked.get("view")) === -1 ? null : asked.get("view");
  var firstDate = /^\d{4}-\d{2}-\d{2}$/.test(asked.get("date") || "") ? asked.get("date") : undefined;
  var loaded = {}; // layer: {count, hidden, truncated} or {error}, of its latest fetch
  var fetches = {}; // layer: the number of its latest fetch (an earlier one's answer is ignored)

  function filters() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (value) params.set(name, value);
    });
    return params;
  }

  // The page's address: the filters, and, once the reader has moved, the view and its
  // first day, so that a reload or a shared link opens what the reader saw (a day opened
  // from its "+N more", then the month again, is the month again).
  var moved = firstView !== null || firstDate !== undefined;
  var shown = false; // whether the calendar has shown its first range

  function keepAddress() {
    var params = filters();
    if (moved) {
      params.set("view", calendar.view.type);
      params.set("date", calendar.formatIso(calendar.view.currentStart, true));
    }
    var query = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
  }

  function dayAddress(date) {
    var params = filters();
    params.set("view", "listDay");
    params.set("date", date);
    return window.location.pathname + "?" + params.toString();
  }

  function openDay(date) {
    calendar.changeView("listDay", date);
    var heading = element.querySelector(".fc-toolbar-title");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  }

  function classes(entry) {
    var names = ["entry-" + entry.type];
    if (entry.type === "milestone") names.push("entry-" + entry.kind);
    if (entry.conflict) names.push("entry-conflict");
    if (entry.cancelled) names.push("entry-cancelled");
    return names;
  }

  function title(entry) {
    var words = entry.title;
    if (entry.conflict) words += " (conflict)";
    if (entry.cancelled) words += " (cancelled)";
    return words;
  }

  var calendar = new FullCalendar.Calendar(element, {
    initialView: firstView || (narrow ? "listMonth" : "dayGridMonth"),
    initialDate: firstDate,
    timeZone: element.dataset.timeZone || "local",
    headerToolbar: narrow
      ? { left: "prev,next", center: "title", right: "today" }
      : { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek,listMonth" },
    footerToolbar: narrow ? { center: "dayGridMonth,timeGridWeek,listMonth" } : false,
    buttonText: { today: "Today", month: "Month", week: "Week", list: "List" },
    firstDay: 1,
    locale: document.documentElement.lang || "en",
    height: "auto",
    // a month shows what each day was answered (its first entries, then "+N more")
    dayMaxEvents: false,
    nowIndicator: true,
    // a shorter range answers more than the month held of it (a day, all of its entries):
    // fetched anew on each change of view, not cut from the month's answer
    lazyFetching: false,
    // a day's "+N more" entry last, under the entries it stands for
    eventOrder: "order,start,-duration,allDay,title",
    eventClick: function (info) {
      var more = info.event.extendedProps.more;
      if (!more) return;
      info.jsEvent.preventDefault();
      openDay(more.date);
    },
    eventDidMount: function (info) {
      var more = info.event.extendedProps.more;
      if (!more) return;
      var day = new Date(more.date + "T12:00:00Z").toLocaleDateString(document.documentElement.lang || "en", {
        weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC",
      });
      var link = info.el.tagName === "A" ? info.el : info.el.querySelector("a") || info.el;
      link.setAttribute("aria-label", info.event.title + " on " + day + ": open the day");
    },
    eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    views: {
      timeGridWeek: {
        dayHeaderFormat: { weekday: "short", day: "numeric", month: "short" },
        dayMaxEvents: true,
      },
    },
    // The toolbar's arrows are icons inside buttons named by their title: hide the icons
    // from assistive technologies, which would otherwise read an image with no name.
    datesSet: function () {
      element.querySelectorAll(".fc-icon").forEach(function (icon) {
        icon.setAttribute("aria-hidden", "true");
      });
      if (!shown) {
        shown = true; // the first range, as the address asked it
        return;
      }
      moved = true;
      keepAddress();
    },
  });

  function hidden() {
    try {
      var stored = JSON.parse(window.localStorage.getItem(HIDDEN));
      return Array.isArray(stored) ? stored : [];
    } catch (error) {
      return [];
    }
  }

  function report() {
    var shown = Array.prototype.filter.call(layers, function (box) { return box.checked; });
    var said = [];
    var count = 0;
    var hidden = 0;
    var cut = false;
    for (var i = 0; i < shown.length; i++) {
      var state = loaded[shown[i].value];
      if (!state) {
        status.textContent = "Loading…";
        return;
      }
      if (state.error) said.push(shown[i].dataset.label + " could not be loaded: " + state.error);
      else {
        count += state.count;
        hidden += state.hidden;
        cut = cut || state.truncated;
      }
    }
    if (!said.length && cut) {
      said.push("Only the first " + count + " entries: choose a filter or a shorter view to see the rest.");
    } else if (!said.length && hidden) {
      said.push(
        count + " of " + (count + hidden) + " entries: a busy day shows the first " + PER_DAY +
          " of each kind, and its “more” entry opens the day."
      );
    } else if (!said.length) said.push(count + " entries");
    status.textContent = said.join(" ");
  }

  function source(layer) {
    return {
      id: layer,
      events: function (info, success, failure) {
        var params = filters();
        params.set("start", info.startStr);
        params.set("end", info.endStr);
        params.set("layer", layer);
        if (info.end - info.start > LONG) params.set("per_day", PER_DAY);
        var number = (fetches[layer] || 0) + 1;
        fetches[layer] = number;
        delete loaded[layer];
        report();
        fetch(element.dataset.events + "?" + params.toString(), {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        })
          .then(function (response) {
            return response.json().then(function (body) {
              if (!response.ok) {
                var said = Object.keys(body).map(function (name) {
                  return name + ": " + [].concat(body[name]).join(" ");
                });
                throw new Error(said.join("; ") || response.statusText);
              }
              return body;
            });
          })
          .then(function (body) {
            var more = body.more || [];
            if (fetches[layer] === number) {
              loaded[layer] = {
                count: body.events.length,
                hidden: more.reduce(function (sum, day) { return sum + day.count; }, 0),
                truncated: body.truncated,
              };
              report();
            }
            var shown = body.events.map(function (entry) {
              return {
                id: entry.id,
                title: title(entry),
                start: entry.start,
                end: entry.end,
                allDay: entry.all_day,
                url: entry.url || undefined,
                classNames: classes(entry),
                extendedProps: Object.assign({ order: 0 }, entry),
              };
            });
            success(
              shown.concat(
                more.map(function (day) {
                  return {
                    id: "more-" + layer + "-" + day.date,
                    title: "+" + day.count + " more " + MORE[layer][day.count === 1 ? 0 : 1],
                    start: day.date,
                    allDay: true,
                    url: dayAddress(day.date),
                    classNames: ["entry-more"],
                    extendedProps: { order: 1, more: day },
                  };
                })
              )
            );
          })
          .catch(function (error) {
            if (fetches[layer] === number) {
              loaded[layer] = { error: error.message };
              report();
            }
            failure(error);
          });
      },
    };
  }

  var off = hidden();
  document.getElementById("calendar-layers").hidden = false; // they need this script
  layers.forEach(function (box) {
    box.checked = off.indexOf(box.value) === -1;
    if (box.checked) calendar.addEventSource(source(box.value));
    box.addEventListener("change", function () {
      var existing = calendar.getEventSourceById(box.value);
      if (existing) existing.remove();
      delete loaded[box.value];
      if (box.checked) calendar.addEventSource(source(box.value));
      var now = Array.prototype.filter.call(layers, function (other) { return !other.checked; });
      try {
        window.localStorage.setItem(HIDDEN, JSON.stringify(now.map(function (other) { return other.value; })));
      } catch (error) {
        // a browser that keeps nothing shows every layer next time
      }
      report();
    });
  });
  calendar.render();

  form.addEventListener("change", function () {
    keepAddress();
    var feed = document.getElementById("calendar-feed-link");
    if (feed) feed.search = filters().toString();
    calendar.refetchEvents();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    calendar.refetchEvents();
  });
});
