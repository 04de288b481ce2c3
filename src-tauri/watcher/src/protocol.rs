//! What the window process and the background watcher say to each other over the watcher's
//! local socket: one JSON object per line. A request gets one reply, except `Subscribe`, whose
//! connection then carries the watcher's events until either side closes it.

use doppelwatch::config::Config;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The longest line either side accepts; longer ones are refused, not buffered.
pub const MAX_LINE: usize = 256 * 1024;

/// A request from the window process (or the tray, or a test) to the watcher.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "request", rename_all = "snake_case")]
pub enum Request {
    /// Who is there: answered with `Reply::Hello`.
    Hello,
    /// Each source's state in words.
    Dashboard,
    /// Run every check now.
    CheckNow,
    /// Pause or resume watching.
    Pause { paused: bool },
    /// The person, the settings or a credential changed: read them again and restart watching.
    Reload,
    /// The person acted on alerts: refresh the tray count, send pending notifications.
    AlertsChanged,
    /// Keep this connection open and send `Reply::Event`s on it.
    Subscribe,
    /// Stop watching and exit (the tray's "Quit").
    Quit,
}

/// The watcher's answer to a request, or an event on a subscription.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum Reply {
    Hello {
        /// The watcher's process id.
        pid: u32,
        /// Running against the bundled fake platforms.
        demo: bool,
        /// The settings the watcher runs with in demo mode (pointed at the fakes), which the
        /// window must use too to file reports; `None` outside demo mode (the window reads the
        /// same settings file).
        demo_config: Option<Box<Config>>,
    },
    Dashboard {
        dashboard: DashboardView,
    },
    Done,
    Error {
        message: String,
    },
    Event {
        event: WatcherEvent,
    },
}

/// What the watcher tells a subscribed window, as it happens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum WatcherEvent {
    /// Alerts changed; `open` alerts are waiting for the person.
    AlertsChanged { open: OpenAlerts },
    /// A source's state changed (a check ended or failed).
    StatusChanged,
    /// Show the window at this place (a notification's action, the tray).
    Show { at: Place },
    /// The watcher is quitting (the person chose "Quit" in the tray): the window closes too.
    Quit,
}

/// Where the window opens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "place", rename_all = "snake_case")]
pub enum Place {
    /// Where the person left it (the dashboard at first): the tray's "Open".
    #[default]
    Home,
    /// The alert list: a notification that announced several alerts.
    Inbox,
    /// One alert: a notification about it.
    Alert { id: i64 },
    /// The worth-a-look list (suspicious alerts): the daily digest's action.
    WorthALook,
    /// One wave of alerts about one person: a wave notification's "Review the wave".
    Wave { id: i64 },
}

impl Place {
    /// The place a notification's "Review and report" opens: its alert, or the list.
    pub fn for_review(alert_id: Option<i64>) -> Place {
        alert_id.map_or(Place::Inbox, |id| Place::Alert { id })
    }

    /// The UI route of the place.
    pub fn route(self) -> String {
        match self {
            Place::Home => "index.html".into(),
            Place::Inbox => "index.html#/alerts".into(),
            Place::Alert { id } => format!("index.html#/alerts/{id}"),
            Place::WorthALook => "index.html#/worth-a-look".into(),
            Place::Wave { id } => format!("index.html#/waves/{id}"),
        }
    }

    /// The window's command-line arguments that open the place.
    pub fn args(self) -> Vec<String> {
        match self {
            Place::Home => Vec::new(),
            Place::Inbox => vec!["--inbox".into()],
            Place::Alert { id } => vec!["--alert".into(), id.to_string()],
            Place::WorthALook => vec!["--worth-a-look".into()],
            Place::Wave { id } => vec!["--wave".into(), id.to_string()],
        }
    }
}

/// The state of one source, for the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SourceStatusView {
    pub platform: String,
    /// Whom this source watches for (a person's name; empty for the whole service). Several
    /// people have one row per platform each.
    #[serde(default)]
    pub person: String,
    /// `live`, `idle`, `partial` (the last check missed some queries), `checking`,
    /// `rate_limited`, `offline`, `needs_credentials`, `paused`.
    pub state: String,
    /// The state in plain words: "watching live", "last check 12:03, next 12:18", ...
    pub words: String,
}

/// The dashboard: sources and whether watching is paused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DashboardView {
    pub paused: bool,
    pub sources: Vec<SourceStatusView>,
    pub open_alerts: OpenAlerts,
}

/// Alerts waiting for the person (new or seen), impostors and worth-a-look apart: impostors
/// pop up and make the tray ask for attention; the worth-a-look ones (suspicious, maybe
/// namesakes) wait quietly.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OpenAlerts {
    pub impostors: u32,
    pub worth_a_look: u32,
}

impl OpenAlerts {
    /// The counts in words, as the tray shows them: "2 impostor alerts, 3 worth a look".
    pub fn words(self) -> String {
        let impostors = match self.impostors {
            1 => "1 impostor alert".to_string(),
            n => format!("{n} impostor alerts"),
        };
        match (self.impostors, self.worth_a_look) {
            (0, 0) => "No open alerts".to_string(),
            (0, n) => format!("{n} worth a look"),
            (_, 0) => impostors,
            (_, n) => format!("{impostors}, {n} worth a look"),
        }
    }
}

/// One line of JSON, with its newline.
pub fn encode<T: Serialize>(message: &T) -> String {
    // Serializing these plain enums cannot fail; an empty object keeps the line protocol intact
    // if it ever did.
    let mut line = serde_json::to_string(message).unwrap_or_else(|_| "{}".into());
    line.push('\n');
    line
}

/// Reads one message from a line, with an error that says what was wrong.
pub fn decode<T: for<'de> Deserialize<'de>>(line: &str) -> Result<T, String> {
    serde_json::from_str(line.trim_end())
        .map_err(|e| format!("not a message the watcher understands ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_tagged_json_lines_that_read_back() {
        let line = encode(&Request::Pause { paused: true });
        assert_eq!(line, "{\"request\":\"pause\",\"paused\":true}\n");
        assert_eq!(
            decode::<Request>(&line),
            Ok(Request::Pause { paused: true })
        );
        let event = Reply::Event {
            event: WatcherEvent::Show {
                at: Place::Alert { id: 7 },
            },
        };
        assert_eq!(decode::<Reply>(&encode(&event)), Ok(event));
        assert_eq!(Place::for_review(None).args(), ["--inbox"]);
        assert_eq!(Place::for_review(Some(3)).route(), "index.html#/alerts/3");
        assert_eq!(Place::WorthALook.args(), ["--worth-a-look"]);
        assert_eq!(Place::WorthALook.route(), "index.html#/worth-a-look");
        let shown = Reply::Event {
            event: WatcherEvent::Show {
                at: Place::WorthALook,
            },
        };
        assert_eq!(decode::<Reply>(&encode(&shown)), Ok(shown));
        let wave = Place::Wave { id: 4 };
        assert_eq!(wave.args(), ["--wave", "4"]);
        assert_eq!(wave.route(), "index.html#/waves/4");
        let shown = Reply::Event {
            event: WatcherEvent::Show { at: wave },
        };
        assert_eq!(
            encode(&shown),
            "{\"reply\":\"event\",\"event\":{\"event\":\"show\",\"at\":{\"place\":\"wave\",\"id\":4}}}\n"
        );
        assert_eq!(decode::<Reply>(&encode(&shown)), Ok(shown));
        let err = decode::<Request>("{\"request\":\"format_disk\"}").unwrap_err();
        assert!(err.contains("not a message"), "{err}");
    }
}
