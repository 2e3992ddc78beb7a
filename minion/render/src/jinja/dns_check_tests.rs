//! `dns_check` over a fake network: a fixed hosts table and a set of
//! addresses that take connections.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use halite_api::{HttpError, HttpRequest, HttpResponse, Network};
use minijinja::Environment;

/// Names and their addresses in lookup order; `open` take connections.
#[derive(Default)]
pub struct FakeNet {
    pub hosts: Vec<(&'static str, Vec<&'static str>)>,
    pub open: Vec<&'static str>,
    pub tried: Mutex<Vec<String>>,
}

impl Network for FakeNet {
    fn lookup(&self, host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
        let ips = self
            .hosts
            .iter()
            .find(|(name, _)| *name == host)
            .map(|(_, ips)| ips.clone())
            .ok_or_else(|| std::io::Error::other("Name or service not known"))?;
        Ok(ips
            .iter()
            .map(|ip| SocketAddr::new(ip.parse().unwrap(), port))
            .collect())
    }
    fn can_connect(&self, addr: SocketAddr, timeout: Duration) -> bool {
        assert_eq!(timeout, Duration::from_secs(2));
        self.tried.lock().unwrap().push(addr.to_string());
        self.open.contains(&addr.to_string().as_str())
    }
    fn http(&self, _: &HttpRequest) -> Result<HttpResponse, HttpError> {
        unreachable!("dns_check sends no HTTP")
    }
}

fn net() -> FakeNet {
    FakeNet {
        hosts: vec![
            ("localhost", vec!["127.0.0.1"]),
            ("127.0.0.1", vec!["127.0.0.1"]),
            ("::1", vec!["::1"]),
            ("dual", vec!["::1", "127.0.0.2", "::1"]),
            ("v6only", vec!["fe80::1"]),
        ],
        open: vec!["127.0.0.2:22"],
        tried: Mutex::new(Vec::new()),
    }
}

fn render_in(
    net: Arc<FakeNet>,
    context: &halite_api::RunContext,
    template: &str,
) -> Result<String, String> {
    let mut env = Environment::new();
    env.add_filter("dns_check", super::filter(net, context.clone()));
    env.render_str(template, ())
        .map_err(|e| e.detail().unwrap_or_default().to_string())
}

fn render_with(net: Arc<FakeNet>, template: &str) -> Result<String, String> {
    render_in(net, &Default::default(), template)
}

fn render(template: &str) -> Result<String, String> {
    render_with(Arc::new(net()), template)
}

#[test]
fn resolves_as_salt_3008_does() {
    // salt-call 3008.4: localhost, 127.0.0.1 and ipv6=True/False of
    // localhost give 127.0.0.1, '::1' gives [::1] (corpus f_jinja_dns_check).
    assert_eq!(
        render("{{ 'localhost'|dns_check(80) }}").unwrap(),
        "127.0.0.1"
    );
    assert_eq!(render("{{ '::1'|dns_check(80) }}").unwrap(), "[::1]");
    assert_eq!(
        render("{{ 'localhost'|dns_check(80, ipv6=True) }}").unwrap(),
        "127.0.0.1"
    );
    assert_eq!(
        render("{{ 'localhost'|dns_check(port=80, ipv6=False) }}").unwrap(),
        "127.0.0.1"
    );
    assert_eq!(
        render("{{ 'v6only'|dns_check(1, false, true) }}").unwrap(),
        "[fe80::1]"
    );
}

#[test]
fn the_first_reachable_address_wins_else_the_first_resolved() {
    let fake = Arc::new(net());
    assert_eq!(
        render_with(fake.clone(), "{{ 'dual'|dns_check(22) }}").unwrap(),
        "127.0.0.2"
    );
    // '::1' twice in the answer is tried once.
    assert_eq!(*fake.tried.lock().unwrap(), ["[::1]:22", "127.0.0.2:22"]);
    assert_eq!(render("{{ 'dual'|dns_check(80) }}").unwrap(), "[::1]");
    assert_eq!(
        render("{{ 'dual'|dns_check(22, ipv6=True) }}").unwrap(),
        "[::1]"
    );
    assert_eq!(
        render("{{ 'dual'|dns_check(80, ipv6=False) }}").unwrap(),
        "127.0.0.2"
    );
}

#[test]
fn failures_in_salts_words() {
    let failed = "DNS lookup or connection check of 'nonexistent.invalid' failed.";
    assert_eq!(
        render("{{ 'nonexistent.invalid'|dns_check(80) }}").unwrap_err(),
        failed
    );
    // AF_INET of an IPv6 literal finds nothing (salt-call: the same text).
    assert_eq!(
        render("{{ '::1'|dns_check(80, ipv6=False) }}").unwrap_err(),
        "DNS lookup or connection check of '::1' failed."
    );
    // safe=True: a SaltClientError without a message.
    assert_eq!(
        render("{{ 'nonexistent.invalid'|dns_check(80, safe=True) }}").unwrap_err(),
        ""
    );
    // a str port reaches connect(), a TypeError (salt-call: '::1'|dns_check('80')).
    assert_eq!(
        render("{{ '::1'|dns_check('80') }}").unwrap_err(),
        "Attempt to resolve address '::1' failed. Invalid or unresolveable address"
    );
    assert_eq!(
        render("{{ 'localhost'|dns_check }}").unwrap_err(),
        "dns_check() missing 1 required positional argument: 'port'"
    );
    assert_eq!(
        render("{{ 'localhost'|dns_check(80, bogus=1) }}").unwrap_err(),
        "dns_check() got an unexpected keyword argument 'bogus'"
    );
}

#[test]
fn system_exits_are_requested_in_the_run_context() {
    use halite_api::ctx::take_system_exit;
    let context = halite_api::RunContext::default();
    let template = "{{ 'nonexistent.invalid'|dns_check(80) }}";
    assert!(render_in(Arc::new(net()), &context, template).is_err());
    assert_eq!(
        take_system_exit(&context).as_deref(),
        Some("DNS lookup or connection check of 'nonexistent.invalid' failed.")
    );
    assert_eq!(take_system_exit(&context), None);
    // safe=True raises into the template instead; a bad port value too.
    for template in [
        "{{ 'nonexistent.invalid'|dns_check(80, safe=True) }}",
        "{{ 'localhost'|dns_check(70000) }}",
    ] {
        assert!(render_in(Arc::new(net()), &context, template).is_err());
        assert_eq!(take_system_exit(&context), None, "{template}");
    }
}
