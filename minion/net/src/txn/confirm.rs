//! Reachability checks that confirm a change: the gateway answers a ping, the
//! master's port accepts a TCP connection. All checks share one deadline.

use halite_api::runner::{CmdSpec, CommandRunner};
use std::fmt;
use std::net::{Ipv4Addr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// One thing that must be reachable after a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// ICMP echo (`ping -c 1 -W 1`).
    Ping(Ipv4Addr),
    /// A TCP connection to host:port (the master's ret port).
    Tcp(String, u16),
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Check::Ping(ip) => write!(f, "ping {ip}"),
            Check::Tcp(host, port) => write!(f, "tcp {host}:{port}"),
        }
    }
}

impl Check {
    /// `10.9.4.1` → ping, `master:4506` → TCP.
    pub fn parse(s: &str) -> Result<Check, String> {
        if let Ok(ip) = s.parse::<Ipv4Addr>() {
            return Ok(Check::Ping(ip));
        }
        match s.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() => port
                .parse()
                .map(|p| Check::Tcp(host.to_string(), p))
                .map_err(|_| format!("confirm: '{s}' has no valid port")),
            _ => Err(format!(
                "confirm: '{s}' is neither an IPv4 address (ping) nor host:port (tcp)"
            )),
        }
    }

    fn once(&self, runner: &dyn CommandRunner, budget: Duration) -> bool {
        let budget = budget.clamp(Duration::from_millis(100), Duration::from_secs(1));
        match self {
            Check::Ping(ip) => {
                let wait = budget.as_secs().max(1).to_string();
                let spec = CmdSpec {
                    timeout: Some(budget + Duration::from_secs(1)),
                    ..CmdSpec::argv(["ping", "-n", "-q", "-c", "1", "-W", &wait, &ip.to_string()])
                };
                runner.run(&spec).is_ok_and(|o| o.retcode == 0)
            }
            Check::Tcp(host, port) => (host.as_str(), *port)
                .to_socket_addrs()
                .into_iter()
                .flatten()
                .any(|addr| TcpStream::connect_timeout(&addr, budget).is_ok()),
        }
    }
}

/// What the checks saw.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub passed: Vec<Check>,
    pub failed: Vec<Check>,
    pub took: Duration,
}

impl Verdict {
    pub fn ok(&self) -> bool {
        self.failed.is_empty()
    }
}

/// Retry every check until it passes or `timeout` is over.
pub fn run(runner: &dyn CommandRunner, checks: &[Check], timeout: Duration) -> Verdict {
    let start = Instant::now();
    let deadline = start + timeout;
    let mut passed = Vec::new();
    let mut failed = Vec::new();
    for check in checks {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if check.once(runner, left) {
                passed.push(check.clone());
                break;
            }
            if Instant::now() + Duration::from_millis(200) >= deadline {
                failed.push(check.clone());
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    Verdict {
        passed,
        failed,
        took: start.elapsed(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_parse_from_pillar_strings() {
        assert_eq!(
            Check::parse("10.9.4.1").unwrap(),
            Check::Ping("10.9.4.1".parse().unwrap())
        );
        assert_eq!(
            Check::parse("salt:4506").unwrap(),
            Check::Tcp("salt".into(), 4506)
        );
        assert!(Check::parse("salt").unwrap_err().contains("'salt'"));
    }

    #[test]
    fn an_unreachable_tcp_port_fails_within_the_timeout() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let open = listener.local_addr().unwrap().port();
        drop(listener); // nothing listens there any more
        let runner = halite_api::runner::SystemRunner;
        let good = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let checks = [
            Check::Tcp("127.0.0.1".into(), good.local_addr().unwrap().port()),
            Check::Tcp("127.0.0.1".into(), open),
        ];
        let v = run(&runner, &checks, Duration::from_millis(500));
        assert_eq!(v.passed, checks[..1]);
        assert_eq!(v.failed, checks[1..]);
    }
}
