//! Small helpers: hex text, OS randomness, the clock as wire-format timestamps.

use std::time::{SystemTime, UNIX_EPOCH};

use vaultmesh_core::encoding::timestamp::Timestamp;

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// Bytes of lowercase or uppercase hex text; `None` for anything else.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    let text = text.as_bytes();
    if text.len() % 2 != 0 {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    text.chunks(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}

/// `N` random bytes from the operating system.
pub fn random<const N: usize>() -> std::io::Result<[u8; N]> {
    let mut out = [0u8; N];
    getrandom::getrandom(&mut out).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(out)
}

/// `dir` if given, else a new path `PREFIX-XXXXXXXX` under the system's temporary directory
/// (not created; the demo and benches make their meshes in it).
pub fn dir_or_temp(
    dir: Option<&std::path::Path>,
    prefix: &str,
) -> std::io::Result<std::path::PathBuf> {
    match dir {
        Some(d) => Ok(d.to_path_buf()),
        None => Ok(std::env::temp_dir().join(format!("{prefix}-{}", hex(&random::<4>()?)))),
    }
}

/// The current time, whole seconds, UTC.
pub fn now() -> Timestamp {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Timestamp::from_unix_seconds(secs).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The current time as wire-format text, `YYYY-MM-DDTHH:MM:SSZ`.
pub fn now_text() -> String {
    now().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        assert_eq!(hex(&[0, 0xab, 0x10]), "00ab10");
        assert_eq!(unhex("00ab10"), Some(vec![0, 0xab, 0x10]));
        assert_eq!(unhex("0g"), None);
        assert_eq!(unhex("abc"), None);
        assert_eq!(now_text().len(), 20);
    }
}
