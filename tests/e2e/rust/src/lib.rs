//! Only tests here (tests/scenario.rs).
