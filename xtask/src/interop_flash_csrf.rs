//! The flash + CSRF part of `cargo xtask interop`: a form rendered by one server (with its Flask-WTF token)
//! is posted to every server; the message it flashes is shown back by the first.

use anyhow::{Context as _, Result, bail};

use crate::http::{form_encode, request};

const USER: &str = "Zoë";
const LOGGED_IN: &str = "You were logged in";
const MISSING: &str = "The CSRF token is missing.";

/// Runs every (renders, posted to) pair over `servers` (name, port) and prints the table.
///
/// # Errors
/// One line per failed pair.
pub(crate) fn run(servers: &[(&'static str, u16)]) -> Result<()> {
    let mut failures = Vec::new();
    print!("\n{:<14}", "form \\ post");
    for (name, _) in servers {
        print!(" {name:>7}");
    }
    println!("   (token accepted, no token refused with 400, flash shown back)");
    for &(from, from_port) in servers {
        print!("{from:<14}");
        for &(to, to_port) in servers {
            let cell = match pair(from_port, to_port) {
                Ok(()) => "ok",
                Err(e) => {
                    failures.push(format!("form from {from} posted to {to}: {e:#}"));
                    "FAIL"
                }
            };
            print!(" {cell:>7}");
        }
        println!();
    }
    if failures.is_empty() {
        return Ok(());
    }
    bail!("{}", failures.join("\n"))
}

fn pair(from: u16, to: u16) -> Result<()> {
    let page = request(from, "GET", "/demo", None, None)?;
    let cookie = page
        .set_cookie_value("session")
        .context("GET /demo stored no CSRF token in the session")?;
    let cookie = format!("session={cookie}");
    let token = login_common::demo::token_in(&page.body).context("GET /demo has no csrf_token field")?;

    let refused = request(
        to,
        "POST",
        "/demo/login",
        Some(&cookie),
        Some(&format!("username={}", form_encode(USER))),
    )?;
    if refused.status != 400 || refused.body.trim() != MISSING {
        bail!(
            "a form without its token answered {} {:?}",
            refused.status,
            refused.body.trim()
        );
    }
    let form = format!("username={}&csrf_token={}", form_encode(USER), form_encode(token));
    let posted = request(to, "POST", "/demo/login", Some(&cookie), Some(&form))?;
    if posted.status != 302 {
        bail!(
            "the form with its token answered {} {:?}",
            posted.status,
            posted.body.trim()
        );
    }
    let logged_in = posted.set_cookie_value("session").context("the login set no cookie")?;
    let back = request(from, "GET", "/demo", Some(&format!("session={logged_in}")), None)?;
    if !back.body.contains(LOGGED_IN) || !back.body.contains(&format!("Logged in as {USER}")) {
        bail!(
            "the page back on the first server does not show the flash and the login: {}",
            back.body
        );
    }
    Ok(())
}
