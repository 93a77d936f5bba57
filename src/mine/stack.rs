//! Signatures for multi-line stack traces (Java/Kotlin/Scala, Python, Go, .NET, Ruby, PHP).
//!
//! The message text of a crash varies (ids, values), its frames are long and full of line
//! numbers, and the frames that identify *which* crash it is are the application's own. So the
//! signature of a trace is: the masked first line, then one token
//! `[exc=<types>;frames=<fingerprint>]` holding the exception type(s) seen (`Caused by:`, the
//! Python final line) and a 64-bit fingerprint of the top few application frames (framework and
//! standard-library frames skipped, line numbers ignored). The same crash thus groups together
//! whatever its message values or line numbers, and two crashes with the same first line but
//! different code paths stay apart: clustering treats that token as part of the group key.

use super::fnv1a64;
use super::mask::Masker;

/// How many application frames identify a crash. A few are enough to tell call paths apart
/// while staying stable when deeper (caller) frames differ.
const TOP_FRAMES: usize = 3;
/// At most this many exception types are kept in the signature (first + root cause).
const MAX_TYPES: usize = 4;
/// Prefix of the signature token that carries exception types and the frame fingerprint.
pub(crate) const STACK_TOKEN_PREFIX: &[u8] = b"[exc=";

/// True when the message looks like a multi-line stack trace of a supported runtime.
pub fn is_stack_trace(msg: &[u8]) -> bool {
    let mut lines = msg.split(|&b| b == b'\n');
    let first = lines.next().unwrap_or_default();
    if first.starts_with(b"Traceback (most recent call last)") {
        return true;
    }
    let mut prev: &[u8] = first;
    lines.any(|l| {
        let t = trim(l);
        // A Go frame: its function line, then its file (zap prints no `goroutine` header).
        let go = crate::record::plain::go_file_line(l) && go_frame(trim(prev), Some(l)).is_some();
        prev = l;
        go || java_frame(t).is_some()
            || dotnet_frame(t).is_some()
            || node_frame(t).is_some()
            || t.starts_with(b"Caused by: ")
            || t.starts_with(b"Traceback (most recent call last)")
            || t.starts_with(b"File \"")
            || t.starts_with(b"goroutine ")
            || crate::record::parse::ruby_frame(t).is_some()
            || crate::record::parse::php_frame(t)
    })
}

/// A PHP frame of the application (`#1 /var/www/app/Http/OrderController.php(31):
/// Foo->bar()`; not under `vendor/`, not `{main}` or an internal function): its file and
/// function, no line number.
fn php_app_frame(t: &[u8]) -> Option<Option<(&[u8], &[u8])>> {
    if !crate::record::parse::php_frame(t) {
        return None;
    }
    let rest = &t[memchr::memchr(b' ', t)? + 1..];
    let Some(paren) = memchr::memmem::find(rest, b".php(") else {
        return Some(None);
    };
    let file = &rest[..paren + 4];
    if memchr::memmem::find(file, b"/vendor/").is_some() {
        return Some(None);
    }
    let call = memchr::memmem::find(rest, b"): ").map_or(&b""[..], |i| &rest[i + 3..]);
    let func = &call[..memchr::memchr(b'(', call).unwrap_or(call.len())];
    Some(Some((file, func)))
}

/// The class of an exception as Monolog writes it: `[object] (App\\Foo\\BarException(code:
/// 0): msg at /app/x.php:12)`.
fn php_exception(t: &[u8]) -> Option<&[u8]> {
    let at = finder!(b"[object] (").find(t)? + 10;
    let end = finder!(b"(code:").find(&t[at..])?;
    let name = &t[at..at + end];
    let ok = !name.is_empty()
        && name
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'\\'));
    ok.then_some(name)
}

/// A Ruby frame of the application: not a gem's (`activerecord (7.0.4) lib/…` as Rails'
/// backtrace cleaner writes it, or a path under `gems/`), the interpreter's or its
/// standard library's. The frame's name is its file and method (no line number).
fn ruby_app_frame(t: &[u8]) -> Option<Option<(&[u8], &[u8])>> {
    let (path, method) = crate::record::parse::ruby_frame(t)?;
    Some((!ruby_library(path)).then_some((path, method)))
}

/// A gem's file (`activerecord (7.0.4) lib/…`, a path under `gems/`), the interpreter's or
/// its standard library's.
fn ruby_library(path: &[u8]) -> bool {
    path.contains(&b' ')
        || path.starts_with(b"<internal:")
        || memchr::memmem::find(path, b"/gems/").is_some()
        || memchr::memmem::find(path, b"/lib/ruby/").is_some()
        || memchr::memmem::find(path, b"/rubygems/").is_some()
}

/// The frame of Ruby's report of an uncaught exception (`app/x.rb:9:in `perform': … (Class)`,
/// the innermost frame; its class is read by [`ruby_exception`]), as [`ruby_app_frame`].
fn ruby_report_frame(t: &[u8]) -> Option<Option<(&[u8], &[u8])>> {
    if !crate::record::parse::ruby_report(t) {
        return None;
    }
    let at = memchr::memmem::find(t, b":in ")?;
    let quote = memchr::memchr2(b'\'', b'`', &t[at + 5..]).map_or(t.len(), |q| at + 5 + q);
    let method = t.get(at + 5..quote)?;
    // The file: `t` up to the line number before `:in `.
    let path = &t[..memchr::memrchr(b':', &t[..at])?];
    Some((!ruby_library(path)).then_some((path, method)))
}

/// A Ruby exception's class: `ActiveRecord::RecordNotFound (Couldn't find …):` as Rails
/// reports it, or at the end of Ruby's own report (`…:in 'x': undefined method (NoMethodError)`).
pub(crate) fn ruby_exception(t: &[u8]) -> Option<&[u8]> {
    let constant = |name: &[u8]| {
        !name.is_empty()
            && name
                .split(|&c| c == b':')
                .filter(|seg| !seg.is_empty())
                .all(|seg| {
                    seg[0].is_ascii_uppercase()
                        && seg.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
                })
            && !name.starts_with(b":")
            && !name.ends_with(b":")
            // Namespaced, or named like an exception (not `Traceback (most recent…):`).
            && (memchr::memmem::find(name, b"::").is_some()
                || [&b"Error"[..], b"Exception", b"Interrupt", b"Timeout"]
                    .iter()
                    .any(|s| name.ends_with(s)))
    };
    if t.ends_with(b"):") {
        let sp = memchr::memmem::find(t, b" (")?;
        let name = &t[..sp];
        return constant(name).then_some(name);
    }
    let inner = t.strip_suffix(b")")?;
    let open = memchr::memrchr(b'(', inner)?;
    let name = &inner[open + 1..];
    (open > 0 && inner[open - 1] == b' ' && constant(name) && ruby_frame_head(t)).then_some(name)
}

/// Whether `t` starts like Ruby's report of an uncaught exception: `file.rb:12:in `.
fn ruby_frame_head(t: &[u8]) -> bool {
    memchr::memmem::find(&t[..t.len().min(300)], b".rb:").is_some()
        && memchr::memmem::find(t, b":in ").is_some()
}

fn trim(l: &[u8]) -> &[u8] {
    let l = l.strip_suffix(b"\r").unwrap_or(l);
    let a = l
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(l.len());
    let z = l
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(a, |p| p + 1);
    &l[a..z]
}

/// `at com.foo.Bar.baz(Bar.java:42)` → `com.foo.Bar.baz`.
pub(crate) fn java_frame(t: &[u8]) -> Option<&[u8]> {
    let rest = t.strip_prefix(b"at ")?;
    let paren = memchr::memchr(b'(', rest)?;
    let name = &rest[..paren];
    // .NET frames also start with "at " but have " in file:line" or no parentheses first;
    // both shapes give the method name before '('.
    (!name.is_empty() && !name.contains(&b' ')).then_some(name)
}

/// `at Ns.Class.Method(int x) in file.cs:line 5` → `Ns.Class.Method`.
fn dotnet_frame(t: &[u8]) -> Option<&[u8]> {
    let rest = t.strip_prefix(b"at ")?;
    let paren = memchr::memchr(b'(', rest)?;
    let name = &rest[..paren];
    (!name.is_empty() && !name.contains(&b' ')).then_some(name)
}

/// A Node.js frame, `at [async ]NAME [as alias] (FILE:LINE:COL)` or `at FILE:LINE:COL`:
/// (file, function), no line or column.
pub(crate) fn node_frame(t: &[u8]) -> Option<(&[u8], &[u8])> {
    let rest = t.strip_prefix(b"at ")?;
    let rest = rest.strip_prefix(b"async ").unwrap_or(rest);
    // (The last frame before the error's own properties, `{ errno: -111, … }`.)
    let rest = rest.strip_suffix(b" {").unwrap_or(rest);
    let (name, loc) = match rest.strip_suffix(b")") {
        Some(inner) => {
            let open = memchr::memrchr(b'(', inner)?;
            (inner[..open].trim_ascii_end(), &inner[open + 1..])
        }
        None => (&b""[..], rest),
    };
    let mut parts = loc.rsplitn(3, |&b| b == b':');
    let digits =
        |p: Option<&[u8]>| p.is_some_and(|p| !p.is_empty() && p.iter().all(u8::is_ascii_digit));
    // (Java's `at a.B.c(B.java:42)` is done here, before any search in its name.)
    if !(digits(parts.next()) && digits(parts.next())) {
        return None;
    }
    let name = memchr::memmem::find(name, b" [as ").map_or(name, |i| &name[..i]);
    let file = parts
        .next()
        .filter(|f| !f.is_empty() && !f.contains(&b' '))?;
    Some((file, name))
}

/// Node's own modules and installed packages: not the application's code.
fn is_node_library(file: &[u8]) -> bool {
    file.starts_with(b"node:")
        || file.starts_with(b"internal/")
        || memchr::memmem::find(file, b"/node_modules/").is_some()
}

/// Frames of runtimes and frameworks: they appear in every crash and say nothing about which.
fn is_framework_frame(name: &[u8]) -> bool {
    const PREFIXES: &[&[u8]] = &[
        b"java.",
        b"javax.",
        b"jakarta.",
        b"sun.",
        b"jdk.",
        b"com.sun.",
        b"kotlin.",
        b"kotlinx.",
        b"scala.",
        b"org.springframework.",
        b"org.apache.catalina.",
        b"org.apache.tomcat.",
        b"org.eclipse.jetty.",
        b"io.netty.",
        b"reactor.",
        b"akka.",
        b"System.",
        b"Microsoft.",
        b"runtime.",
        b"runtime/",
        b"net/http.",
        b"reflect.",
        b"testing.",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Python frame `File "app/x.py", line 3, in f` → (`app/x.py`, `f`).
fn python_frame(t: &[u8]) -> Option<(&[u8], &[u8])> {
    let rest = t.strip_prefix(b"File \"")?;
    let q = memchr::memchr(b'"', rest)?;
    let file = &rest[..q];
    let func = memchr::memmem::find(&rest[q..], b", in ").map_or(&b""[..], |p| &rest[q + p + 5..]);
    Some((file, func))
}

fn is_python_stdlib(file: &[u8]) -> bool {
    file.starts_with(b"<")
        || memchr::memmem::find(file, b"/lib/python").is_some()
        || memchr::memmem::find(file, b"site-packages").is_some()
        || memchr::memmem::find(file, b"dist-packages").is_some()
        || memchr::memmem::find(file, b"\\Lib\\").is_some()
}

/// Go frame function line: `main.handler(0xc000010000, 0x1)` or `main.(*T).m(...)` in a
/// panic's trace, `main.(*T).m` in zap's, followed by a `\t/path/file.go:12 +0x1d` line:
/// (function name without arguments, whether the file is the Go toolchain's or a dependency's:
/// under GOROOT, the module cache `/go/pkg/mod/` or `vendor/`).
fn go_frame<'a>(t: &'a [u8], next: Option<&[u8]>) -> Option<(&'a [u8], bool)> {
    let next = trim(next?);
    if !(next.starts_with(b"/") || next.get(1) == Some(&b':'))
        || memchr::memmem::find(next, b".go:").is_none()
    {
        return None;
    }
    let name = if t.ends_with(b")") {
        &t[..t.iter().rposition(|&b| b == b'(')?]
    } else {
        t
    };
    if name.is_empty() || name.contains(&b' ') {
        return None;
    }
    const LIBRARY: [&[u8]; 5] = [
        b"/go/src/",
        b"/go/pkg/mod/",
        b"/vendor/",
        b"/golang/src/",
        b"/libexec/src/",
    ];
    let library = LIBRARY
        .iter()
        .any(|p| memchr::memmem::find(next, p).is_some());
    Some((name, library))
}

/// An exception type at the start of `t` (`java.io.IOException: ...`, `ValueError: ...`,
/// `Caused by: x.y.Z: ...`), if any.
fn exception_type(t: &[u8]) -> Option<&[u8]> {
    let t = t.strip_prefix(b"Caused by: ").unwrap_or(t);
    let t = t.strip_prefix(b"Suppressed: ").unwrap_or(t);
    let t = t.strip_prefix(b"panic: ").unwrap_or(t);
    let end = t
        .iter()
        .position(|&b| b == b':' || b == b' ')
        .unwrap_or(t.len());
    let name = &t[..end];
    let last = name.rsplit(|&b| b == b'.').next().unwrap_or(name);
    let looks = !name.is_empty()
        && name
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'$'))
        && (last.ends_with(b"Exception")
            || last.ends_with(b"Error")
            || last.ends_with(b"Throwable"));
    looks.then_some(name)
}

/// The application's innermost frame of a Go stack (zap's, a panic's): its function, without
/// arguments (`main.(*Server).checkout`); None when the trace has no such frame. A Go stack
/// names no exception: where it failed is what tells it apart.
pub fn go_app_frame(text: &str) -> Option<&str> {
    let lines: Vec<&str> = text.lines().skip(1).collect();
    lines.iter().enumerate().find_map(|(k, l)| {
        let next = lines.get(k + 1).map(|n| n.as_bytes());
        let (name, library) = go_frame(trim(l.as_bytes()), next)?;
        if library || is_framework_frame(name) {
            return None;
        }
        std::str::from_utf8(name).ok()
    })
}

/// The first exception line of a stack trace after its first line (`org.x.FooException: msg`,
/// `Caused by: …`, .NET's inner ` ---> Inner: …`, a Python traceback's last line), trimmed:
/// what the trace says went wrong where its first line is a generic log message.
pub fn exception_line(text: &str) -> Option<&str> {
    let mut python = false;
    for line in text.lines().skip(1) {
        let t = line.trim();
        let t = t.strip_prefix("---> ").unwrap_or(t);
        let t = t.strip_prefix("Caused by: ").unwrap_or(t);
        python |= t.starts_with("File \"");
        let python_last = python && !line.starts_with([' ', '\t']);
        if exception_type(t.as_bytes()).is_some()
            || (python_last && python_exception_line(line.as_bytes()).is_some())
        {
            return Some(t);
        }
    }
    None
}

/// The exception name of a Python traceback's last line (`pkg.mod.Name: message` or a bare
/// `Name`), unindented: any identifier, since not every exception class ends in `Error`.
fn python_exception_line(line: &[u8]) -> Option<&[u8]> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line
        .first()
        .is_none_or(|b| !(b.is_ascii_alphabetic() || *b == b'_'))
    {
        return None;
    }
    let end = line.iter().position(|&b| b == b':').unwrap_or(line.len());
    let name = &line[..end];
    let ok = name
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_'))
        && !name.ends_with(b".")
        && (end == line.len() || line.get(end + 1) == Some(&b' '));
    ok.then_some(name)
}

/// Writes the signature of a stack trace (see the module docs) into `out`.
pub(crate) fn signature(masker: &Masker, msg: &[u8], out: &mut Vec<u8>) {
    let lines: Vec<&[u8]> = msg.split(|&b| b == b'\n').collect();
    let first = lines.first().copied().unwrap_or_default();
    let first = first.strip_suffix(b"\r").unwrap_or(first);
    masker.mask_line(first, out);

    let mut types: Vec<&[u8]> = Vec::new();
    let mut frames_hash = 0xcbf2_9ce4_8422_2325_u64;
    let mut frames = 0usize;
    let mut py_frames: Vec<(&[u8], &[u8])> = Vec::new();
    let mut saw_py_frame = false;
    let add_frame = |h: &mut u64, n: &mut usize, name: &[u8]| {
        if *n < TOP_FRAMES {
            *h = fnv1a64(name).wrapping_add(h.rotate_left(7));
            *n += 1;
        }
    };
    if let Some(t) = exception_type(trim(first))
        .or_else(|| ruby_exception(trim(first)))
        .or_else(|| php_exception(first))
    {
        types.push(t);
    }
    for (k, line) in lines.iter().enumerate().skip(1) {
        let t = trim(line);
        if t.is_empty() {
            continue;
        }
        if let Some((file, func)) = node_frame(t) {
            if !is_node_library(file) && frames < TOP_FRAMES {
                let h = fnv1a64(file) ^ fnv1a64(func).rotate_left(17);
                frames_hash = h.wrapping_add(frames_hash.rotate_left(7));
                frames += 1;
            }
        } else if let Some(name) = java_frame(t).or_else(|| dotnet_frame(t)) {
            if !is_framework_frame(name) {
                add_frame(&mut frames_hash, &mut frames, name);
            }
        } else if let Some((file, func)) = python_frame(t) {
            saw_py_frame = true;
            if !is_python_stdlib(file) {
                py_frames.push((file, func));
            }
        } else if let Some(frame) = ruby_app_frame(t)
            .or_else(|| ruby_report_frame(t))
            .or_else(|| php_app_frame(t))
        {
            // Ruby prints the innermost frame first, as Java does.
            if let Some(ty) = ruby_exception(t) {
                if types.len() < MAX_TYPES && !types.contains(&ty) {
                    types.push(ty);
                }
            }
            if let Some((path, method)) = frame {
                if frames < TOP_FRAMES {
                    let h = fnv1a64(path) ^ fnv1a64(method).rotate_left(17);
                    frames_hash = h.wrapping_add(frames_hash.rotate_left(7));
                    frames += 1;
                }
            }
        } else if let Some((name, library)) = go_frame(t, lines.get(k + 1).copied()) {
            if !library && !is_framework_frame(name) {
                add_frame(&mut frames_hash, &mut frames, name);
            }
        } else if let Some(ty) = exception_type(t)
            .or_else(|| ruby_exception(t))
            .or_else(|| php_exception(t))
            .or_else(|| {
                // Python's last line names the exception, whatever its name ends with
                // (`smtplib.SMTPServerDisconnected: …`, `KeyboardInterrupt`): an unindented
                // identifier after the frames.
                (!py_frames.is_empty() || saw_py_frame)
                    .then(|| python_exception_line(line))
                    .flatten()
            })
        {
            if types.len() < MAX_TYPES && !types.contains(&ty) {
                types.push(ty);
            }
        }
    }
    // Python prints the innermost frame last: the top of the stack is the end of the list.
    for (file, func) in py_frames.iter().rev() {
        let mut h = fnv1a64(file);
        h ^= fnv1a64(func).rotate_left(17);
        if frames < TOP_FRAMES {
            frames_hash = h.wrapping_add(frames_hash.rotate_left(7));
            frames += 1;
        }
    }
    if !out.is_empty() {
        out.push(b' ');
    }
    out.extend_from_slice(STACK_TOKEN_PREFIX);
    if types.is_empty() {
        // No exception type (a Go panic, a crash dump): say so, as `frames=-` does.
        out.push(b'-');
    }
    for (i, t) in types.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        // Types are identifiers by construction (checked in `exception_type`).
        out.extend_from_slice(t);
    }
    out.extend_from_slice(b";frames=");
    if frames == 0 {
        out.push(b'-');
    } else {
        let hex = format!("{:012x}", frames_hash & 0xffff_ffff_ffff);
        out.extend_from_slice(hex.as_bytes());
    }
    out.push(b']');
}
