//! Federation verifiers. (Being written.)
