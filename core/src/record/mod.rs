//! Record kinds and verification. (Being written.)
