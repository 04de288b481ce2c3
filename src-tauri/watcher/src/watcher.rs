//! The background watcher process (`doppelwatch-watcher`): runs the core's watch service for the
//! registered person, raises the notifications, shows the tray icon, and answers the window on
//! its local socket. It loads no GTK or WebKit, so watching with the window closed costs little;
//! the window is a separate process started on demand (a notification's action, the tray).

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use doppelwatch::config::Config;
use doppelwatch::identity::Identity;
use doppelwatch::secrets::Keychain;
use doppelwatch::store::Store;
use doppelwatch::watch::{Notifications, WatchEvent, WatchHandle, WatchService, WatchSetup};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, OwnedSemaphorePermit};

use crate::lock;
use crate::protocol::{decode, encode, Place, Reply, Request, WatcherEvent};
use crate::socket::{read_line, Admission, Endpoint, Stream};
use crate::{demo, open_alerts, status, Invocation};

/// How long a request may take to arrive once connected.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Command-line options of `doppelwatch-watcher`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WatcherOptions {
    /// Watch the bundled fake platforms (a demo beside, never instead of, the real watcher).
    pub demo: bool,
    /// Ask the running watcher to quit, then exit.
    pub quit: bool,
}

/// The usage of `doppelwatch-watcher` (its `--help`).
pub const USAGE: &str = "\
usage: doppelwatch-watcher [--demo] [--quit]

Doppelwatch's background watcher: watches the platforms for impostors of the registered person,
raises the notifications and shows the tray icon, also while the window is closed. The desktop
app (doppelwatch-desktop) starts it; one runs per data folder.

options:
  --demo     watch the bundled fake platforms (started by `doppelwatch-desktop --demo`)
  --quit     ask the running watcher to stop, then exit
  --help     show this help and exit
  --version  show the version and exit

environment:
  DOPPELWATCH_DATA_DIR  the data folder (database, watcher.sock, watcher.log)
  DOPPELWATCH_CONFIG    the settings file
  RUST_LOG              how much to log (default: info)

It logs to stderr; when the app starts it, stderr goes to watcher.log in the data folder.";

impl WatcherOptions {
    /// Reads `--demo`, `--quit`, `--help` and `--version`; anything else is refused with the
    /// usage.
    pub fn parse(
        args: impl IntoIterator<Item = String>,
    ) -> Result<Invocation<WatcherOptions>, String> {
        let mut options = WatcherOptions::default();
        for arg in args {
            match arg.as_str() {
                "--demo" => options.demo = true,
                "--quit" => options.quit = true,
                "--help" | "-h" => return Ok(Invocation::Help),
                "--version" | "-V" => return Ok(Invocation::Version),
                other => return Err(format!("unknown option {other:?}\n{USAGE}")),
            }
        }
        Ok(Invocation::Run(options))
    }
}

/// Runs the watcher of the data folder `base` until it is asked to quit (or, with
/// `options.quit`, asks the running one to quit). Returns when done; a second watcher of the
/// same folder returns at once.
pub async fn run(base: PathBuf, options: WatcherOptions) -> Result<(), String> {
    let endpoint = Endpoint::new(&base, options.demo);
    if options.quit {
        return match crate::link::WatcherLink::new(base, options.demo)
            .request(&Request::Quit)
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => Err(format!("no watcher to stop: {e}")),
        };
    }
    doppelwatch::files::private::ensure_private_dir(&base)
        .map_err(|e| format!("cannot create data folder {}: {e}", base.display()))?;
    let Some(_lock) = take_lock(&endpoint.lock)? else {
        tracing::info!("a watcher already runs for {}", base.display());
        return Ok(());
    };
    // A demo keeps its own folder, emptied when a new demo session begins (never real
    // alerts); a demo watcher started after one died goes on with its session.
    let session = if options.demo {
        Some(Arc::new(demo::Session::open(&base.join("demo"))?))
    } else {
        None
    };
    let data_dir = match &session {
        Some(session) => session.dir().to_path_buf(),
        None => base.clone(),
    };
    doppelwatch::files::private::ensure_private_dir(&data_dir)
        .map_err(|e| format!("cannot create data folder {}: {e}", data_dir.display()))?;
    let mut config = Config::load(None).map_err(|e| e.to_string())?;
    let store = Arc::new(Store::open_in(&data_dir).map_err(|e| e.to_string())?);
    let mut world = None;
    if let Some(session) = &session {
        register_demo_person(&store)?;
        let (demo_world, demo_config) = demo::start(config, session, &store)
            .await
            .map_err(|e| format!("cannot start the demo platforms: {e}"))?;
        config = demo_config;
        world = Some(Arc::new(demo_world));
    }
    let mut listener = endpoint.listen().map_err(|e| e.to_string())?;
    let (picks_tx, mut picks) = tokio::sync::mpsc::unbounded_channel();
    let window_log = base.join(if options.demo {
        "window-demo.log"
    } else {
        "window.log"
    });
    let queue = spawn_report_queue(options.demo, &store, &config);
    let watcher = Watcher::new(options.demo, store.clone(), config, picks_tx, window_log);
    // Answer the window at once; the tray and the watch service come up meanwhile.
    let starting = watcher.clone();
    tokio::spawn(async move {
        starting.start_tray().await;
        starting.restart().await;
    });
    if let (Some(world), Some(session)) = (world.clone(), session.clone()) {
        tokio::spawn(demo::plant(store, world, session));
    }
    tracing::info!(
        "watching (data folder {}); listening on {}",
        data_dir.display(),
        endpoint.socket.display()
    );
    let mut admission = Admission::default();
    let terminated = terminated();
    tokio::pin!(terminated);
    loop {
        tokio::select! {
            stream = listener.accept() => {
                if let Some((stream, slot)) = admission.admit(stream) {
                    tokio::spawn(watcher.clone().serve(stream, slot));
                }
            }
            Some(pick) = picks.recv() => match pick {
                Pick::Open => watcher.show(Place::Home),
                Pick::Quit => break,
            },
            () = &mut terminated => break,
        }
    }
    tracing::info!("the watcher stops");
    let _ = watcher.events.send(WatcherEvent::Quit);
    let old = lock(&watcher.handle).take();
    if let Some(old) = old {
        old.stop().await;
    }
    // A report being sent is finished and recorded before the watcher goes.
    let (queue_stop, queue_task) = queue;
    let _ = queue_stop.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(60), queue_task).await;
    // Let subscribed windows read the quit before the connections drop.
    tokio::time::sleep(Duration::from_millis(200)).await;
    drop(world);
    // Asked to stop: the demo session ends (the next demo start begins a new one).
    if let Some(session) = session {
        session.end();
    }
    Ok(())
}

/// `DOPPELWATCH_DEMO_IDENTITY=FILE` (an identity JSON file, as the CLI reads) registers that
/// person when a demo starts, so a scripted demo or the footprint bench skips onboarding.
fn register_demo_person(store: &Store) -> Result<(), String> {
    let Some(path) = std::env::var_os("DOPPELWATCH_DEMO_IDENTITY").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let path = PathBuf::from(path);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "cannot read DOPPELWATCH_DEMO_IDENTITY {}: {e}",
            path.display()
        )
    })?;
    let identity: Identity = serde_json::from_str(&text).map_err(|e| {
        format!(
            "DOPPELWATCH_DEMO_IDENTITY {} is not an identity file: {e}",
            path.display()
        )
    })?;
    let identity = identity.validated().map_err(|e| e.to_string())?;
    store
        .upsert_identity(&identity)
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Takes the watcher lock of this data folder (an OS lock, released when the process ends,
/// however it ends); `None` if another watcher holds it. The file holds the holder's pid.
fn take_lock(path: &Path) -> Result<Option<File>, String> {
    // Never through a symlink planted at the path (it would empty and chmod its target).
    let mut file = doppelwatch::files::private::open_private_lock(path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(format!("cannot lock {}: {e}", path.display()))
        }
    }
    let _ = file.set_len(0);
    let _ = writeln!(file, "{}", std::process::id());
    Ok(Some(file))
}

/// Starts sending the batches of reports queued by the window or the CLI (with the demo's
/// password on the demo's fakes, else the keychain's credentials); returns its stop switch.
fn spawn_report_queue(
    demo: bool,
    store: &Arc<Store>,
    config: &Config,
) -> (
    tokio::sync::watch::Sender<bool>,
    tokio::task::JoinHandle<()>,
) {
    let secrets: doppelwatch::report::queue::Secrets = if demo {
        Arc::new(|key| demo::demo_secret(key).map(doppelwatch::secrets::Secret::new))
    } else {
        let keychain = Keychain::new();
        Arc::new(move |key| keychain.get(key).ok().flatten())
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(doppelwatch::report::queue::run(
        store.clone(),
        config.clone(),
        secrets,
        stopped,
    ));
    (stop, task)
}

/// Resolves when the process is asked to stop (Ctrl-C, or SIGTERM on Unix).
async fn terminated() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// What the person picked in the tray (Quit also comes as a request on the socket).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// Open the window (a click on the icon, or "Open Doppelwatch").
    Open,
    /// Stop watching and quit.
    Quit,
}

/// The running watcher, shared by its connections and tasks.
pub struct Watcher {
    demo: bool,
    store: Arc<Store>,
    keychain: Keychain,
    /// The settings in demo mode (pointed at the fakes); outside demo mode the settings file is
    /// read again at each restart, so the window's changes take effect.
    demo_config: Option<Config>,
    /// Where the windows this watcher starts write their log.
    window_log: PathBuf,
    handle: Mutex<Option<WatchHandle>>,
    /// Why watching could not start, shown on the dashboard.
    problem: Mutex<Option<String>>,
    /// One restart at a time.
    restarting: tokio::sync::Mutex<()>,
    events: broadcast::Sender<WatcherEvent>,
    /// Windows subscribed to events right now.
    subscribers: AtomicUsize,
    picks: tokio::sync::mpsc::UnboundedSender<Pick>,
    #[cfg(target_os = "linux")]
    tray: tokio::sync::OnceCell<crate::tray::TrayHandle>,
}

impl Watcher {
    fn new(
        demo: bool,
        store: Arc<Store>,
        config: Config,
        picks: tokio::sync::mpsc::UnboundedSender<Pick>,
        window_log: PathBuf,
    ) -> Arc<Watcher> {
        let (events, _) = broadcast::channel(256);
        Arc::new(Watcher {
            demo,
            store,
            keychain: Keychain::new(),
            demo_config: demo.then_some(config),
            window_log,
            handle: Mutex::new(None),
            problem: Mutex::new(Some("starting to watch".into())),
            restarting: tokio::sync::Mutex::new(()),
            events,
            subscribers: AtomicUsize::new(0),
            picks,
            #[cfg(target_os = "linux")]
            tray: tokio::sync::OnceCell::new(),
        })
    }

    /// Shows the tray icon (Linux; elsewhere the window process keeps its own tray).
    async fn start_tray(&self) {
        #[cfg(target_os = "linux")]
        {
            match crate::tray::start(open_alerts(&self.store), self.demo, self.picks.clone()).await
            {
                Ok(tray) => {
                    let _ = self.tray.set(tray);
                }
                Err(e) => tracing::warn!("{e}"),
            }
        }
    }

    /// The settings to watch with: the demo's, or the settings file as it is now.
    fn config(&self) -> Result<Config, String> {
        match &self.demo_config {
            Some(config) => Ok(config.clone()),
            None => Config::load(None).map_err(|e| e.to_string()),
        }
    }

    /// (Re)starts watching every registered person with the current settings and credentials
    /// (people added or removed later are followed by the watch service itself).
    pub async fn restart(self: &Arc<Self>) {
        let _one_at_a_time = self.restarting.lock().await;
        let old = lock(&self.handle).take();
        if let Some(old) = old {
            old.stop().await;
        }
        let nobody = !matches!(self.store.identities(), Ok(ids) if !ids.is_empty());
        if nobody {
            *lock(&self.problem) = None;
            return;
        }
        let started = self.config().and_then(|config| {
            // Demo mode uses no keychain: the fakes' keys live in memory.
            let setup = if self.demo {
                WatchSetup::with_secrets(&config, None, &|key| {
                    crate::demo::demo_secret(key).map(doppelwatch::secrets::Secret::new)
                })
            } else {
                WatchSetup::from_config(&config, None, Some(&self.keychain))
            };
            setup
                .map(|setup| (config, setup))
                .map_err(|e| e.to_string())
        });
        let (config, setup) = match started {
            Ok(started) => started,
            Err(e) => {
                tracing::error!("cannot start watching: {e}");
                *lock(&self.problem) = Some(format!("cannot start watching: {e}"));
                return;
            }
        };
        let handle = WatchService::start_following(
            config.watch.clone(),
            self.store.clone(),
            setup,
            Notifications::desktop(),
        );
        let mut events = handle.subscribe();
        *lock(&self.handle) = Some(handle);
        *lock(&self.problem) = None;
        let watcher = self.clone();
        tokio::spawn(async move {
            loop {
                match events.recv().await {
                    Ok(event) => watcher.on_event(event).await,
                    Err(RecvError::Lagged(_)) => watcher.alerts_changed().await,
                    Err(RecvError::Closed) => break,
                }
            }
        });
        let _ = self.events.send(WatcherEvent::StatusChanged);
    }

    async fn on_event(&self, event: WatchEvent) {
        match event {
            WatchEvent::Review { alert_id } => self.show(Place::for_review(alert_id)),
            WatchEvent::ReviewWave { wave_id } => self.show(Place::Wave { id: wave_id }),
            WatchEvent::WorthALook => self.show(Place::WorthALook),
            WatchEvent::NewAlert { .. }
            | WatchEvent::AlertUpdated { .. }
            | WatchEvent::CaseClosed { .. }
            | WatchEvent::Allowed { .. } => self.alerts_changed().await,
            WatchEvent::CheckDone { .. }
            | WatchEvent::CheckFailed { .. }
            | WatchEvent::CoverageGap { .. } => {
                let _ = self.events.send(WatcherEvent::StatusChanged);
            }
        }
    }

    /// Updates the tray and tells the windows that alerts changed.
    async fn alerts_changed(&self) {
        let open = open_alerts(&self.store);
        #[cfg(target_os = "linux")]
        if let Some(tray) = self.tray.get() {
            tray.set_open_alerts(open).await;
        }
        let _ = self.events.send(WatcherEvent::AlertsChanged { open });
    }

    /// Shows the window at `at`: tells the open window, or starts one.
    fn show(&self, at: Place) {
        if self.subscribers.load(Ordering::SeqCst) > 0 {
            let _ = self.events.send(WatcherEvent::Show { at });
            return;
        }
        let mut args = Vec::new();
        if self.demo {
            args.push("--demo".to_string());
        }
        args.extend(at.args());
        let exe = crate::sibling_exe("doppelwatch-desktop", "DOPPELWATCH_DESKTOP_BIN");
        match crate::spawn_detached(&exe, &args, Some(&self.window_log)) {
            Ok(()) => tracing::info!("opened the window: {} {}", exe.display(), args.join(" ")),
            Err(e) => tracing::error!("cannot open the window ({}): {e}", exe.display()),
        }
    }

    /// The dashboard as it is now.
    fn dashboard(&self) -> Reply {
        let dashboard = status::dashboard(
            lock(&self.handle).as_ref(),
            lock(&self.problem).as_deref(),
            open_alerts(&self.store),
        );
        Reply::Dashboard { dashboard }
    }

    /// Runs `f` on the watch service, or says why there is none.
    fn with_handle(&self, f: impl FnOnce(&WatchHandle)) -> Reply {
        match lock(&self.handle).as_ref() {
            Some(handle) => f(handle),
            None => {
                return Reply::Error {
                    message: "not watching yet: tell Doppelwatch who you are first".into(),
                }
            }
        }
        self.dashboard()
    }

    /// Answers one connection: one request and its reply, or a subscription. It holds `_slot`
    /// (one of the limited connection slots) until done.
    async fn serve(self: Arc<Self>, stream: Stream, _slot: OwnedSemaphorePermit) {
        let (read, mut write) = tokio::io::split(stream);
        let mut read = BufReader::new(read);
        let request = match tokio::time::timeout(REQUEST_TIMEOUT, read_line(&mut read)).await {
            Ok(Ok(Some(line))) => decode::<Request>(&line),
            Ok(Ok(None)) => return,
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err("no request within 10 s".into()),
        };
        let reply = match request {
            Err(message) => Reply::Error { message },
            Ok(Request::Subscribe) => {
                self.subscribe(&mut read, &mut write).await;
                return;
            }
            Ok(request) => self.answer(request).await,
        };
        let _ = write.write_all(encode(&reply).as_bytes()).await;
        let _ = write.shutdown().await;
    }

    async fn answer(self: &Arc<Self>, request: Request) -> Reply {
        match request {
            Request::Hello => Reply::Hello {
                pid: std::process::id(),
                demo: self.demo,
                demo_config: self.demo_config.clone().map(Box::new),
            },
            Request::Dashboard => self.dashboard(),
            Request::CheckNow => self.with_handle(|h| h.check_now()),
            Request::Pause { paused } => self.with_handle(|h| h.pause(paused)),
            Request::Reload => {
                self.restart().await;
                self.dashboard()
            }
            Request::AlertsChanged => {
                if let Some(handle) = lock(&self.handle).as_ref() {
                    handle.wake_notifier();
                }
                self.alerts_changed().await;
                Reply::Done
            }
            Request::Quit => {
                let _ = self.picks.send(Pick::Quit);
                Reply::Done
            }
            Request::Subscribe => Reply::Error {
                message: "subscribe on its own connection".into(),
            },
        }
    }

    /// Sends events to a window until it goes away.
    async fn subscribe<R, W>(&self, read: &mut R, write: &mut W)
    where
        R: tokio::io::AsyncBufRead + Unpin,
        W: tokio::io::AsyncWrite + Unpin,
    {
        let mut events = self.events.subscribe();
        self.subscribers.fetch_add(1, Ordering::SeqCst);
        let welcome = Reply::Event {
            event: WatcherEvent::AlertsChanged {
                open: open_alerts(&self.store),
            },
        };
        let mut ok = write.write_all(encode(&welcome).as_bytes()).await.is_ok();
        while ok {
            tokio::select! {
                event = events.recv() => match event {
                    Ok(event) => {
                        let quit = event == WatcherEvent::Quit;
                        let line = encode(&Reply::Event { event });
                        ok = write.write_all(line.as_bytes()).await.is_ok() && !quit;
                    }
                    Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => ok = false,
                },
                // The window says nothing more on this connection: any read result means it
                // closed (or broke the protocol).
                _ = read_line(read) => ok = false,
            }
        }
        self.subscribers.fetch_sub(1, Ordering::SeqCst);
    }
}
