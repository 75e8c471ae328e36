//! The one panic boundary every exported function runs in, and the checks of its arguments.
//!
//! `ffi!(body)` runs `body` inside `catch_unwind`; [`Boundary`] says what each kind of body
//! result becomes at the boundary, and what a panic becomes. Argument helpers turn raw pointers
//! into references and slices with a defined status for NULL, misaligned or oversized input.

use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::status::vm_status;

/// What a body's result becomes at the boundary, and what a panic becomes.
pub trait Boundary {
    /// The C return type.
    type Out;
    /// The value returned when the body finished.
    fn finish(self) -> Self::Out;
    /// The value returned when the body panicked.
    fn panicked() -> Self::Out;
}

impl Boundary for Result<(), vm_status> {
    type Out = vm_status;
    fn finish(self) -> vm_status {
        match self {
            Ok(()) => vm_status::Ok,
            Err(status) => status,
        }
    }
    fn panicked() -> vm_status {
        vm_status::Panic
    }
}

impl Boundary for () {
    type Out = ();
    fn finish(self) {}
    fn panicked() {}
}

impl Boundary for *const c_char {
    type Out = *const c_char;
    fn finish(self) -> *const c_char {
        self
    }
    fn panicked() -> *const c_char {
        c"".as_ptr()
    }
}

/// Runs `body` inside `catch_unwind` and settles its result (see [`Boundary`]).
pub fn run<B: Boundary>(body: impl FnOnce() -> B) -> B::Out {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result.finish(),
        Err(_) => B::panicked(),
    }
}

/// The panic boundary: `ffi!({ … })` runs the block inside [`run`]. Every `extern "C"` body of
/// this crate is wrapped in it, and nothing else.
macro_rules! ffi {
    ($body:block) => {
        $crate::boundary::run(move || $body)
    };
}

/// The bytes `[ptr, ptr + len)`; a zero length needs no pointer.
///
/// # Safety
/// When `len > 0` and `ptr` is not NULL, `ptr` must be valid for reads of `len` bytes for `'a`.
pub unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], vm_status> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(vm_status::NullArgument);
    }
    if len > isize::MAX as usize {
        return Err(vm_status::InvalidArgument);
    }
    // SAFETY: non-NULL, length within isize::MAX; validity is the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// UTF-8 text `[ptr, ptr + len)` (`VM_STATUS_ARGUMENT_NOT_UTF8` otherwise).
///
/// # Safety
/// As [`bytes`].
pub unsafe fn text<'a>(ptr: *const c_char, len: usize) -> Result<&'a str, vm_status> {
    // SAFETY: forwarded contract.
    let raw = unsafe { bytes(ptr.cast::<u8>(), len)? };
    std::str::from_utf8(raw).map_err(|_| vm_status::ArgumentNotUtf8)
}

/// Optional UTF-8 text: `None` for a zero length (whatever the pointer).
///
/// # Safety
/// As [`bytes`].
pub unsafe fn optional_text<'a>(
    ptr: *const c_char,
    len: usize,
) -> Result<Option<&'a str>, vm_status> {
    if len == 0 {
        return Ok(None);
    }
    // SAFETY: forwarded contract.
    unsafe { text(ptr, len) }.map(Some)
}

/// A slice of `count` elements of `T` at `ptr`; a zero count needs no pointer.
///
/// # Safety
/// When `count > 0` and `ptr` is not NULL, `ptr` must be valid for reads of `count` `T`s.
pub unsafe fn array<'a, T>(ptr: *const T, count: usize) -> Result<&'a [T], vm_status> {
    if count == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(vm_status::NullArgument);
    }
    if !ptr.is_aligned() || count > isize::MAX as usize / std::mem::size_of::<T>().max(1) {
        return Err(vm_status::InvalidArgument);
    }
    // SAFETY: non-NULL, aligned, size within isize::MAX; validity is the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(ptr, count) })
}

/// A mutable slice of `count` elements of `T` at `ptr`; a zero count needs no pointer.
///
/// # Safety
/// When `count > 0` and `ptr` is not NULL, `ptr` must be valid for writes of `count` `T`s and
/// not aliased for `'a`.
pub unsafe fn array_mut<'a, T>(ptr: *mut T, count: usize) -> Result<&'a mut [T], vm_status> {
    if count == 0 {
        return Ok(&mut []);
    }
    if ptr.is_null() {
        return Err(vm_status::NullArgument);
    }
    if !ptr.is_aligned() || count > isize::MAX as usize / std::mem::size_of::<T>().max(1) {
        return Err(vm_status::InvalidArgument);
    }
    // SAFETY: non-NULL, aligned, size within isize::MAX; validity is the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts_mut(ptr, count) })
}

/// A required input struct.
///
/// # Safety
/// When not NULL, `ptr` must point to a valid `T` for `'a`.
pub unsafe fn input<'a, T>(ptr: *const T) -> Result<&'a T, vm_status> {
    if ptr.is_null() {
        return Err(vm_status::NullArgument);
    }
    if !ptr.is_aligned() {
        return Err(vm_status::InvalidArgument);
    }
    // SAFETY: non-NULL and aligned; validity is the caller's contract.
    Ok(unsafe { &*ptr })
}

/// A required output location.
///
/// # Safety
/// When not NULL, `ptr` must be valid for writes of a `T` and not aliased for `'a`.
pub unsafe fn output<'a, T>(ptr: *mut T) -> Result<&'a mut T, vm_status> {
    if ptr.is_null() {
        return Err(vm_status::NullArgument);
    }
    if !ptr.is_aligned() {
        return Err(vm_status::InvalidArgument);
    }
    // SAFETY: non-NULL and aligned; validity is the caller's contract.
    Ok(unsafe { &mut *ptr })
}

/// An optional output location: `None` for NULL.
///
/// # Safety
/// As [`output`].
pub unsafe fn optional_output<'a, T>(ptr: *mut T) -> Result<Option<&'a mut T>, vm_status> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded contract.
    unsafe { output(ptr) }.map(Some)
}

/// Sets `*out_len` to 0 when `out_len` is a usable pointer (the failure path of a buffer output).
///
/// # Safety
/// As [`output`].
pub unsafe fn clear_len(out_len: *mut usize) {
    // SAFETY: forwarded contract.
    if let Ok(len) = unsafe { output(out_len) } {
        *len = 0;
    }
}

/// Copies `data` into the caller's buffer `out` of capacity `out_cap` and sets `*out_len` (the
/// convention of the header): too small is `BufferTooSmall` with `*out_len` = the length needed.
///
/// # Safety
/// When not NULL, `out` must be valid for writes of `out_cap` bytes, and `out_len` for a `usize`.
pub unsafe fn write_buffer(
    data: &[u8],
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> Result<(), vm_status> {
    // SAFETY: forwarded contract.
    let len = unsafe { output(out_len)? };
    if out.is_null() && out_cap != 0 {
        *len = 0;
        return Err(vm_status::NullArgument);
    }
    if data.len() > out_cap {
        *len = data.len();
        return Err(vm_status::BufferTooSmall);
    }
    if !data.is_empty() {
        // SAFETY: `out` is not NULL here (data.len() <= out_cap, so out_cap > 0) and holds
        // out_cap >= data.len() bytes; the regions cannot overlap (`data` is ours).
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), out, data.len()) };
    }
    *len = data.len();
    Ok(())
}

/// Writes the result of a buffer-producing body: the data through [`write_buffer`], or the
/// error with `*out_len = 0`.
///
/// # Safety
/// As [`write_buffer`].
pub unsafe fn finish_buffer(
    data: Result<Vec<u8>, vm_status>,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> Result<(), vm_status> {
    match data {
        // SAFETY: forwarded contract.
        Ok(data) => unsafe { write_buffer(&data, out, out_cap, out_len) },
        Err(status) => {
            // SAFETY: forwarded contract.
            unsafe { clear_len(out_len) };
            Err(status)
        }
    }
}

/// Runs `body`, which produces the bytes of a buffer output, and writes its result into the
/// caller's buffer (see [`finish_buffer`]).
///
/// # Safety
/// As [`write_buffer`].
pub unsafe fn fill_buffer(
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
    body: impl FnOnce() -> Result<Vec<u8>, vm_status>,
) -> Result<(), vm_status> {
    // SAFETY: forwarded contract.
    unsafe { finish_buffer(body(), out, out_cap, out_len) }
}

/// As [`fill_buffer`], for a text output (`char *out`).
///
/// # Safety
/// As [`write_buffer`].
pub unsafe fn fill_text(
    out: *mut c_char,
    out_cap: usize,
    out_len: *mut usize,
    body: impl FnOnce() -> Result<String, vm_status>,
) -> Result<(), vm_status> {
    // SAFETY: forwarded contract.
    unsafe {
        fill_buffer(out.cast::<u8>(), out_cap, out_len, || {
            body().map(String::into_bytes)
        })
    }
}

/// An opaque handle type of the C ABI. The C type (`vm_keyring`, …) is a marker that is never
/// constructed; a handle pointer points to a [`Tagged`] value whose tag, at offset 0, tells a
/// live handle of this type from a handle of another type (`VM_STATUS_INVALID_ARGUMENT`, not a
/// crash) and from a freed one that `_free` cleared (best effort: use after free is the caller's
/// error).
pub trait Handle {
    /// What the handle holds.
    type Inner;
    /// The tag of a live handle of this type.
    const TAG: u64;
}

/// The heap value behind a handle pointer: the tag first, at a fixed offset.
#[repr(C)]
pub struct Tagged<T> {
    tag: u64,
    value: T,
}

/// The tagged value behind `ptr`, checked.
///
/// # Safety
/// When not NULL, `ptr` must be a live handle of this library (of any type).
unsafe fn tagged<H: Handle>(ptr: *const H) -> Result<*mut Tagged<H::Inner>, vm_status> {
    let raw = ptr.cast::<Tagged<H::Inner>>().cast_mut();
    if raw.is_null() {
        return Err(vm_status::NullArgument);
    }
    if !raw.is_aligned() {
        return Err(vm_status::InvalidArgument);
    }
    // SAFETY: every handle of this library is a `Tagged<_>` (repr(C), tag at offset 0, align 8),
    // so reading the tag is in bounds whatever the handle's type.
    let tag = unsafe { raw.cast::<u64>().read() };
    if tag != H::TAG {
        return Err(vm_status::InvalidArgument);
    }
    Ok(raw)
}

/// A shared reference to what a live handle holds.
///
/// # Safety
/// When not NULL, `ptr` must be a live handle of this library.
pub unsafe fn handle<'a, H: Handle>(ptr: *const H) -> Result<&'a H::Inner, vm_status> {
    // SAFETY: checked above; the handle is live (the caller's contract) and of type H.
    unsafe { tagged(ptr).map(|raw| &(*raw).value) }
}

/// An exclusive reference to what a live handle holds.
///
/// # Safety
/// As [`handle`], and no other reference to it may be in use.
pub unsafe fn handle_mut<'a, H: Handle>(ptr: *mut H) -> Result<&'a mut H::Inner, vm_status> {
    // SAFETY: as `handle`; exclusivity is the caller's contract.
    unsafe { tagged(ptr).map(|raw| &mut (*raw).value) }
}

/// Stores `read(value)` in `*out`, `value` being what the live handle `ptr` holds (checked
/// first): the getter of a handle.
///
/// # Safety
/// As [`handle`] for `ptr` and [`output`] for `out`.
pub unsafe fn get<H: Handle, T>(
    ptr: *const H,
    out: *mut T,
    read: impl FnOnce(&H::Inner) -> T,
) -> Result<(), vm_status> {
    // SAFETY: forwarded contract.
    let value = unsafe { handle(ptr)? };
    // SAFETY: forwarded contract.
    *unsafe { output(out)? } = read(value);
    Ok(())
}

/// What an optional handle argument holds: `None` for NULL.
///
/// # Safety
/// As [`handle`].
pub unsafe fn optional_handle<'a, H: Handle>(
    ptr: *const H,
) -> Result<Option<&'a H::Inner>, vm_status> {
    match ptr.is_null() {
        true => Ok(None),
        // SAFETY: forwarded contract.
        false => unsafe { handle(ptr) }.map(Some),
    }
}

/// An optional handle output (`H **out`, may be NULL), set to NULL when taken and given a
/// handle by [`HandleSlot::fill`] once the value is verified.
pub struct HandleSlot<'a, H>(Option<&'a mut *mut H>);

impl<H: Handle> HandleSlot<'_, H> {
    /// Stores a new handle holding `value` in the slot, if the caller asked for one (otherwise
    /// `value` is dropped).
    pub fn fill(self, value: H::Inner) {
        if let Some(out) = self.0 {
            *out = new_handle(value);
        }
    }
}

/// The optional handle output `out`, cleared to NULL.
///
/// # Safety
/// As [`output`].
pub unsafe fn handle_slot<'a, H: Handle>(out: *mut *mut H) -> Result<HandleSlot<'a, H>, vm_status> {
    // SAFETY: forwarded contract.
    let mut slot = unsafe { optional_output(out)? };
    if let Some(s) = slot.as_deref_mut() {
        *s = std::ptr::null_mut();
    }
    Ok(HandleSlot(slot))
}

/// Moves `value` to the heap as a new handle of type `H` and stores the pointer in `*out`.
///
/// # Safety
/// As [`output`].
pub unsafe fn give<H: Handle>(value: H::Inner, out: *mut *mut H) -> Result<(), vm_status> {
    // SAFETY: forwarded contract.
    let out = unsafe { output(out)? };
    *out = new_handle(value);
    Ok(())
}

/// A new handle of type `H` holding `value` (release it with [`free`]).
pub fn new_handle<H: Handle>(value: H::Inner) -> *mut H {
    Box::into_raw(Box::new(Tagged { tag: H::TAG, value })).cast::<H>()
}

/// Frees a handle made by [`give`]; NULL and pointers that are not live handles of type `H` are
/// ignored.
///
/// # Safety
/// `ptr` must be NULL or a live handle of this library.
pub unsafe fn free<H: Handle>(ptr: *mut H) {
    // SAFETY: forwarded contract.
    if let Ok(raw) = unsafe { tagged(ptr) } {
        // SAFETY: a live handle of type H, made by Box::into_raw in `new_handle`; the tag is
        // cleared so that a second free of the same pointer is likely ignored.
        unsafe {
            (*raw).tag = 0;
            drop(Box::from_raw(raw));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_status() {
        #[allow(clippy::panic)]
        fn explode() -> Result<(), vm_status> {
            panic!("boom")
        }
        assert_eq!(run(explode), vm_status::Panic);
        assert_eq!(
            run(|| Err(vm_status::NullArgument)),
            vm_status::NullArgument
        );
        assert_eq!(run(|| Ok(())), vm_status::Ok);
        #[allow(clippy::panic)]
        fn explode_ptr() -> *const c_char {
            panic!("boom")
        }
        // SAFETY: the fallback is a static NUL-terminated string.
        assert_eq!(
            unsafe { std::ffi::CStr::from_ptr(run(explode_ptr)) }.to_bytes(),
            b""
        );
    }

    #[test]
    fn buffers() {
        let mut len = 99usize;
        // SAFETY: valid pointers below.
        unsafe {
            assert_eq!(
                write_buffer(b"abc", std::ptr::null_mut(), 0, &mut len),
                Err(vm_status::BufferTooSmall)
            );
            assert_eq!(len, 3);
            let mut buf = [0u8; 3];
            assert_eq!(
                write_buffer(b"abc", buf.as_mut_ptr(), 2, &mut len),
                Err(vm_status::BufferTooSmall)
            );
            assert_eq!((len, buf), (3, [0; 3]));
            assert_eq!(write_buffer(b"abc", buf.as_mut_ptr(), 3, &mut len), Ok(()));
            assert_eq!((len, &buf), (3, b"abc"));
            assert_eq!(write_buffer(b"", std::ptr::null_mut(), 0, &mut len), Ok(()));
            assert_eq!(len, 0);
            assert_eq!(
                write_buffer(b"x", std::ptr::null_mut(), 5, &mut len),
                Err(vm_status::NullArgument)
            );
            assert_eq!(
                write_buffer(b"x", buf.as_mut_ptr(), 3, std::ptr::null_mut()),
                Err(vm_status::NullArgument)
            );
            assert_eq!(bytes(std::ptr::null(), 0), Ok(&[][..]));
            assert_eq!(bytes(std::ptr::null(), 1), Err(vm_status::NullArgument));
            assert_eq!(
                text(b"\xff".as_ptr().cast(), 1),
                Err(vm_status::ArgumentNotUtf8)
            );
            assert_eq!(optional_text(std::ptr::null(), 0), Ok(None));
        }
    }
}
