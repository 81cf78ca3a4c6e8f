#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| paralelo_fuzz::quotes(data));
