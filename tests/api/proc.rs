//! The real binary as a separate process: `serve` on a database URL with its output captured, a
//! minimal blocking HTTP/1.1 client (one connection a request, `Connection: close`), and CLI runs.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_relief-ledger");

/// A running `relief-ledger serve`; killed (SIGKILL) when dropped.
pub struct Server {
    pub child: Child,
    pub addr: String,
    /// Everything the process wrote to stdout and stderr so far.
    pub output: Arc<Mutex<String>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Starts `serve` on `url` on a free port with `env` set, and waits until it listens.
    pub fn start(url: &str, env: &[(&str, &str)]) -> Server {
        let mut cmd = Command::new(BIN);
        cmd.args(["--db", url, "serve", "--bind", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn relief-ledger serve");
        let output = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel::<String>();
        let mut readers = Vec::new();
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        for (stream, tx) in [
            (Box::new(stdout) as Box<dyn Read + Send>, Some(tx)),
            (Box::new(stderr) as Box<dyn Read + Send>, None),
        ] {
            let out = output.clone();
            readers.push(std::thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    if let (Some(tx), Some(rest)) = (&tx, line.split("http://").nth(1)) {
                        let _ = tx.send(rest.split('/').next().unwrap_or_default().to_string());
                    }
                    let mut o = out.lock().unwrap();
                    o.push_str(&line);
                    o.push('\n');
                }
            }));
        }
        let addr = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(a) => a,
            Err(_) => {
                let _ = child.kill();
                panic!("serve did not start: {}", output.lock().unwrap());
            }
        };
        Server {
            child,
            addr,
            output,
            readers,
        }
    }

    /// SIGKILL: no shutdown, no flush.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Stops the process (SIGKILL), waits for its output to be read, and returns the output.
    pub fn stop(mut self) -> String {
        self.kill();
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
        self.output.lock().unwrap().clone()
    }

    pub fn client(&self, token: Option<&str>) -> Client {
        Client {
            addr: self.addr.clone(),
            token: token.map(str::to_string),
            cookie: None,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// A blocking HTTP client for one server and one identity.
#[derive(Clone)]
pub struct Client {
    pub addr: String,
    pub token: Option<String>,
    pub cookie: Option<String>,
}

impl Client {
    /// Sends one request; an error when the connection fails or closes before a whole answer.
    pub fn send(&self, method: &str, path: &str, content_type: &str, body: &[u8]) -> std::io::Result<Answer> {
        let mut s = TcpStream::connect(&self.addr)?;
        s.set_read_timeout(Some(Duration::from_secs(60)))?;
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        if !body.is_empty() {
            head.push_str(&format!("Content-Type: {content_type}\r\n"));
        }
        if let Some(t) = &self.token {
            head.push_str(&format!("Authorization: Bearer {t}\r\n"));
        }
        if let Some(c) = &self.cookie {
            head.push_str(&format!("Cookie: {c}\r\n"));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes())?;
        s.write_all(body)?;
        let mut raw = Vec::new();
        s.read_to_end(&mut raw)?;
        parse_answer(&raw)
    }

    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> std::io::Result<Answer> {
        let bytes = body.map(|b| serde_json::to_vec(b).unwrap()).unwrap_or_default();
        self.send(method, path, "application/json", &bytes)
    }

    /// A request that must succeed (2xx); its JSON.
    pub fn must(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let a = self
            .call(method, path, body.as_ref())
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        assert!(a.ok(), "{method} {path} -> {}: {}", a.status, a.body);
        a.json()
    }

    pub fn login(&self, user: &str, password: &str) -> Client {
        let t = self.must(
            "POST",
            "/api/v1/auth/login",
            Some(serde_json::json!({"username": user, "password": password})),
        );
        Client {
            token: Some(t["token"].as_str().unwrap().to_string()),
            ..self.clone()
        }
    }
}

fn parse_answer(raw: &[u8]) -> std::io::Result<Answer> {
    let bad = || std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "incomplete answer");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(bad)?;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut body = raw[split + 4..].to_vec();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(bad)?;
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    };
    if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let line_end = rest.windows(2).position(|w| w == b"\r\n").ok_or_else(bad)?;
            let size =
                usize::from_str_radix(String::from_utf8_lossy(&rest[..line_end]).trim(), 16).map_err(|_| bad())?;
            rest = &rest[line_end + 2..];
            if size == 0 {
                break;
            }
            if rest.len() < size + 2 {
                return Err(bad());
            }
            out.extend_from_slice(&rest[..size]);
            rest = &rest[size + 2..];
        }
        body = out;
    } else if let Some(len) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        if body.len() < len {
            return Err(bad());
        }
        body.truncate(len);
    }
    Ok(Answer {
        status,
        body: String::from_utf8_lossy(&body).to_string(),
    })
}

/// Runs the CLI on `url`; its output.
pub fn cli(url: &str, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .arg("--db")
        .arg(url)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run relief-ledger")
}
