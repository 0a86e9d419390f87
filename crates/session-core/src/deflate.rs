//! A zlib (RFC 1950/1951) compressor sized for cookies: one block, a hash table sized to the input, zlib level 6's
//! matching rules, and the cheaper of fixed and dynamic Huffman codes.
//!
//! Why it exists: a general-purpose deflate spends most of a cookie-sized call on fixed setup (zlib's
//! `deflateReset` clears a 64 KiB hash table; every library sizes its state for a 32 KiB window), so a
//! 170-byte session cost ~3.6 µs to compress with zlib, more than the rest of the codec together (measured in
//! `benches/codec.rs`, `docs/benchmarks.md`). Here the state is sized to the input and reused per thread.
//!
//! What it keeps from zlib level 6, so that sizes stay level-6 class: minimum match 3, lazy matching
//! (`max_lazy` 16, `good_length` 8, `nice_length` 128, `max_chain` 128), and zlib's rule that drops a 3-byte
//! match more than 4 KiB back. The output is one final block (fixed or dynamic Huffman, whichever is shorter)
//! in a zlib stream with the level-6 header `78 9C` and an Adler-32 trailer, so any inflater reads it
//! (`tests/flask_reads_ours.rs` checks Python's `zlib` and Flask; the proptests check flate2's zlib).
//!
//! Inputs longer than [`MAX_INPUT`] are not handled here (the caller uses zlib): every distance then fits the
//! 32 KiB window and every position fits a `u16`.

use std::cell::RefCell;

/// The longest input this compressor takes: every distance fits deflate's 32 KiB window.
pub(crate) const MAX_INPUT: usize = 32 * 1024;

const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
/// zlib level 6 (`configuration_table[6]` in deflate.c).
const GOOD_LENGTH: usize = 8;
const MAX_LAZY: usize = 16;
const NICE_LENGTH: usize = 128;
const MAX_CHAIN: u32 = 128;
/// zlib drops a match of length 3 farther back than this (`TOO_FAR`): it rarely pays for its distance bits.
const TOO_FAR: usize = 4096;

/// Literal/length alphabet size (0-255 literals, 256 end of block, 257-285 lengths; 286 and 287 take part in
/// the fixed code's construction but never occur).
const LITLEN_CODES: usize = 288;
const DIST_CODES: usize = 30;
const CODELEN_CODES: usize = 19;
const END_OF_BLOCK: usize = 256;
const MAX_BITS: u8 = 15;
const MAX_CODELEN_BITS: u8 = 7;

const LEN_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
];
const LEN_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
    8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
];
/// The order in which code length code lengths are sent (RFC 1951 3.2.7).
const CODELEN_ORDER: [usize; CODELEN_CODES] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/// Length code index (0-28, i.e. symbol 257 + index) of a match length 3..=258.
fn len_code(len: usize) -> usize {
    let l = len - MIN_MATCH;
    match l {
        0..=7 => l,
        255 => 28,
        _ => {
            let k = l.ilog2() as usize; // 3..=7
            4 * (k - 1) + ((l >> (k - 2)) & 3)
        }
    }
}

/// Distance code (0-29) of a distance 1..=32768.
fn dist_code(dist: usize) -> usize {
    let d = dist - 1;
    if d < 4 {
        d
    } else {
        let k = d.ilog2() as usize; // 2..=14
        2 * k + ((d >> (k - 1)) & 1)
    }
}

/// One LZ77 symbol: a literal (`dist == 0`, `len` is the byte) or a match with its length and distance codes.
#[derive(Clone, Copy)]
struct Sym {
    len: u16,
    dist: u16,
    lc: u8,
    dc: u8,
}

/// Per-thread buffers, kept between calls so that a call allocates only its output.
struct State {
    head: Vec<u16>,
    prev: Vec<u16>,
    syms: Vec<Sym>,
    scratch: Scratch,
}

thread_local! {
    static STATE: RefCell<State> = const {
        RefCell::new(State {
            head: Vec::new(),
            prev: Vec::new(),
            syms: Vec::new(),
            scratch: Scratch {
                lit_used: Vec::new(),
                dist_used: Vec::new(),
                cl_used: Vec::new(),
                keys: Vec::new(),
                weight: Vec::new(),
                parent: Vec::new(),
                depth: Vec::new(),
            },
        })
    };
}

/// Compresses `input` (at most [`MAX_INPUT`] bytes) into a zlib stream, or `None` when the stream would not be
/// shorter than `limit` bytes (the caller has no use for it then).
pub(crate) fn zlib_compress(input: &[u8], limit: usize) -> Option<Vec<u8>> {
    debug_assert!(input.len() <= MAX_INPUT);
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        let State {
            head,
            prev,
            syms,
            scratch,
        } = &mut *s;
        lz77(input, head, prev, syms);
        encode(input, syms, limit, scratch)
    })
}

fn hash_bits(n: usize) -> u32 {
    // About two slots per position: few collisions, and a table small enough to clear cheaply.
    (n.max(1).ilog2() + 2).clamp(8, 15)
}

fn hash(b: &[u8], bits: u32) -> usize {
    let v = u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16;
    (v.wrapping_mul(0x9E37_79B1) >> (32 - bits)) as usize
}

/// The bytes `input[at..at + 3]` as a number (the caller knows they exist).
fn load3(input: &[u8], at: usize) -> u32 {
    u32::from(input[at]) | u32::from(input[at + 1]) << 8 | u32::from(input[at + 2]) << 16
}

/// Length of the common prefix of `input[a..]` and `input[b..]` (`a < b`), at most `max`.
fn common(input: &[u8], a: usize, b: usize, max: usize) -> usize {
    let mut n = 0;
    while n + 8 <= max {
        let x = u64::from_le_bytes(input[a + n..a + n + 8].try_into().unwrap_or_default());
        let y = u64::from_le_bytes(input[b + n..b + n + 8].try_into().unwrap_or_default());
        let diff = x ^ y;
        if diff != 0 {
            return n + (diff.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    while n < max && input[a + n] == input[b + n] {
        n += 1;
    }
    n
}

/// zlib's `deflate_slow` (lazy evaluation) over the whole input, into `syms`.
fn lz77(input: &[u8], head: &mut Vec<u16>, prev: &mut Vec<u16>, syms: &mut Vec<Sym>) {
    let n = input.len();
    let bits = hash_bits(n);
    head.clear();
    head.resize(1 << bits, 0);
    prev.clear();
    prev.resize(n, 0);
    syms.clear();

    // Positions are stored + 1 so that 0 means "none".
    let insert = |pos: usize, head: &mut [u16], prev: &mut [u16]| {
        if pos + MIN_MATCH <= n {
            let h = hash(&input[pos..], bits);
            prev[pos] = head[h];
            head[h] = (pos + 1) as u16;
        }
    };
    let literal = |b: u8| Sym {
        len: u16::from(b),
        dist: 0,
        lc: 0,
        dc: 0,
    };

    let (mut prev_len, mut prev_dist) = (MIN_MATCH - 1, 0usize);
    let mut have_literal = false;
    let mut i = 0;
    while i < n {
        insert(i, head, prev);
        let mut cur_len = MIN_MATCH - 1;
        let mut cur_dist = 0;
        let mut cand = prev[i];
        if i + MIN_MATCH <= n && cand != 0 && prev_len < MAX_LAZY {
            let max = (n - i).min(MAX_MATCH);
            let mut chain = if prev_len >= GOOD_LENGTH {
                MAX_CHAIN >> 2
            } else {
                MAX_CHAIN
            };
            while cand != 0 {
                let c = usize::from(cand) - 1;
                // Check the bytes that would make this match longer than the best first (zlib's trick): the
                // four ending at `cur_len` (`cur_len < max`: a match of `max` ends the search).
                let at = cur_len - 2;
                if load3(input, c + at) == load3(input, i + at) {
                    let len = common(input, c, i, max);
                    if len > cur_len {
                        cur_len = len;
                        cur_dist = i - c;
                        if len >= NICE_LENGTH.min(max) {
                            break;
                        }
                    }
                }
                chain -= 1;
                if chain == 0 {
                    break;
                }
                cand = prev[c];
            }
            if cur_len == MIN_MATCH && cur_dist > TOO_FAR {
                cur_len = MIN_MATCH - 1;
            }
        }
        if prev_len >= MIN_MATCH && cur_len <= prev_len {
            // The match found at the previous position is at least as good: emit it.
            syms.push(Sym {
                len: prev_len as u16,
                dist: prev_dist as u16,
                lc: len_code(prev_len) as u8,
                dc: dist_code(prev_dist) as u8,
            });
            let end = i - 1 + prev_len;
            for p in i + 1..end {
                insert(p, head, prev);
            }
            i = end;
            have_literal = false;
            prev_len = MIN_MATCH - 1;
        } else {
            if have_literal {
                syms.push(literal(input[i - 1]));
            }
            have_literal = true;
            prev_len = cur_len;
            prev_dist = cur_dist;
            i += 1;
        }
    }
    if have_literal {
        syms.push(literal(input[n - 1]));
    }
}

/// Reused buffers for building Huffman codes (no per-call allocation or clearing of fixed-size tables).
struct Scratch {
    lit_used: Vec<u16>,
    dist_used: Vec<u16>,
    cl_used: Vec<u16>,
    keys: Vec<u64>,
    weight: Vec<u64>,
    parent: Vec<u16>,
    depth: Vec<u16>,
}

/// Huffman code lengths for `freq` (at most [`LITLEN_CODES`] symbols), at most `limit` bits, with at least two
/// codes: a complete code, which every inflater accepts (zlib's deflate does the same).
///
/// `used` lists the symbols with a frequency, in ascending order; only their lengths are written (the caller
/// zeroes `lens`), and when fewer than two are used the lowest unused symbols join them (frequency 1).
/// Working on the used symbols only keeps a small input's cost proportional to its own alphabet, not 288.
fn code_lengths(freq: &[u32], used: &mut Vec<u16>, limit: u8, lens: &mut [u8], sc: &mut Scratch) {
    let mut sym = 0;
    while used.len() < 2 {
        if !used.contains(&sym) {
            let at = used.partition_point(|&u| u < sym);
            used.insert(at, sym);
        }
        sym += 1;
    }
    // Used symbols by ascending frequency (ties by symbol, for determinism): frequency << 16 | symbol.
    let keys = &mut sc.keys;
    keys.clear();
    keys.extend(
        used.iter()
            .map(|&u| u64::from(freq[usize::from(u)].max(1)) << 16 | u64::from(u)),
    );
    keys.sort_unstable();
    let m = keys.len();
    // Two-queue Huffman: leaves are 0..m (in `keys` order), internal nodes are appended in non-decreasing
    // weight order, so each step takes the two lightest heads of the two queues.
    let (weight, parent, depth) = (&mut sc.weight, &mut sc.parent, &mut sc.depth);
    weight.clear();
    weight.extend(keys.iter().map(|k| k >> 16));
    parent.clear();
    parent.resize(2 * m - 1, 0);
    let (mut leaf, mut node) = (0, m);
    for _ in 0..m - 1 {
        let mut pick = || {
            if leaf < m && (node >= weight.len() || weight[leaf] <= weight[node]) {
                leaf += 1;
                leaf - 1
            } else {
                node += 1;
                node - 1
            }
        };
        let (a, b) = (pick(), pick());
        let next = weight.len();
        weight.push(weight[a] + weight[b]);
        parent[a] = next as u16;
        parent[b] = next as u16;
    }
    depth.clear();
    depth.resize(2 * m - 1, 0);
    // Depths: the root is the last node; parents always come after their children.
    for k in (0..2 * m - 2).rev() {
        depth[k] = depth[usize::from(parent[k])] + 1;
    }
    // Count codes per length; fold lengths over the limit into it, then restore Kraft's equality (miniz's
    // `huffman_enforce_max_code_size`): lengthen the longest codes below the limit until the code is complete.
    let limit = usize::from(limit);
    let mut count = [0u32; 16];
    for &d in &depth[..m] {
        count[usize::from(d).min(limit)] += 1;
    }
    let mut kraft: u64 = (1..=limit).map(|l| u64::from(count[l]) << (limit - l)).sum();
    while kraft > 1 << limit {
        count[limit] -= 1;
        for l in (1..limit).rev() {
            if count[l] != 0 {
                count[l] -= 1;
                count[l + 1] += 2;
                break;
            }
        }
        kraft -= 1;
    }
    // Shortest codes to the most frequent symbols.
    let mut l = 1;
    for &k in keys.iter().rev() {
        while count[l] == 0 {
            l += 1;
        }
        count[l] -= 1;
        lens[(k & 0xFFFF) as usize] = l as u8;
    }
}

/// Canonical codes for `lens`, bit-reversed for LSB-first output.
fn codes(lens: &[u8], used: &[u16], out: &mut [u16]) {
    let mut count = [0u16; 16];
    for &u in used {
        count[usize::from(lens[usize::from(u)])] += 1;
    }
    count[0] = 0;
    let mut next = [0u16; 16];
    let mut code = 0u16;
    for bits in 1..16 {
        code = (code + count[bits - 1]) << 1;
        next[bits] = code;
    }
    for &u in used {
        let l = lens[usize::from(u)];
        if l != 0 {
            let c = next[usize::from(l)];
            next[usize::from(l)] += 1;
            out[usize::from(u)] = c.reverse_bits() >> (16 - l);
        }
    }
}

/// The fixed Huffman code lengths (RFC 1951 3.2.6).
const fn fixed_litlen_len(sym: usize) -> u8 {
    match sym {
        0..=143 => 8,
        144..=255 => 9,
        256..=279 => 7,
        _ => 8,
    }
}

const FIXED_LIT_LEN: [u8; LITLEN_CODES] = {
    let mut lens = [0u8; LITLEN_CODES];
    let mut s = 0;
    while s < LITLEN_CODES {
        lens[s] = fixed_litlen_len(s);
        s += 1;
    }
    lens
};

/// The fixed literal/length code, bit-reversed: the canonical code of [`FIXED_LIT_LEN`] (as [`codes`] makes it).
const FIXED_LIT_CODE: [u16; LITLEN_CODES] = {
    // Lengths 7, 8, 9 start at codes 0, 0x30 (after 24 codes of 7 bits), 0x190 (after 152 codes of 8 bits).
    let mut out = [0u16; LITLEN_CODES];
    let mut next = [0u16, 0, 0, 0, 0, 0, 0, 0, 0x30, 0x190];
    let mut s = 0;
    while s < LITLEN_CODES {
        let l = FIXED_LIT_LEN[s] as usize;
        out[s] = next[l].reverse_bits() >> (16 - l);
        next[l] += 1;
        s += 1;
    }
    out
};

/// The fixed distance code: 5 bits, code = distance code, bit-reversed.
const FIXED_DIST_CODE: [u16; DIST_CODES] = {
    let mut out = [0u16; DIST_CODES];
    let mut d = 0;
    while d < DIST_CODES {
        out[d] = (d as u16).reverse_bits() >> 11;
        d += 1;
    }
    out
};

struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl BitWriter {
    fn put(&mut self, bits: u32, n: u32) {
        self.acc |= u64::from(bits) << self.n;
        self.n += n;
        if self.n >= 32 {
            self.out.extend_from_slice(&(self.acc as u32).to_le_bytes());
            self.acc >>= 32;
            self.n -= 32;
        }
    }

    fn finish(mut self) -> Vec<u8> {
        while self.n > 0 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n = self.n.saturating_sub(8);
        }
        self.out
    }
}

/// The most code lengths a dynamic block header sends (286 literal/length + 30 distance).
const MAX_HEADER_LENS: usize = 286 + DIST_CODES;

/// Run-length encodes the code lengths of both trees with symbols 16/17/18 into `out` as (symbol, extra value);
/// returns how many.
fn rle_code_lengths(lens: &[u8], out: &mut [(u8, u8); MAX_HEADER_LENS]) -> usize {
    let mut k = 0;
    let mut push = |x: (u8, u8)| {
        out[k] = x;
        k += 1;
    };
    let mut i = 0;
    while i < lens.len() {
        let l = lens[i];
        let mut run = 1;
        while i + run < lens.len() && lens[i + run] == l {
            run += 1;
        }
        i += run;
        if l == 0 {
            while run >= 11 {
                let r = run.min(138);
                push((18, (r - 11) as u8));
                run -= r;
            }
            if run >= 3 {
                push((17, (run - 3) as u8));
                run = 0;
            }
        } else {
            push((l, 0));
            run -= 1;
            while run >= 3 {
                let r = run.min(6);
                push((16, (r - 3) as u8));
                run -= r;
            }
        }
        for _ in 0..run {
            push((l, 0));
        }
    }
    k
}

fn codelen_extra_bits(sym: u8) -> u32 {
    match sym {
        16 => 2,
        17 => 3,
        18 => 7,
        _ => 0,
    }
}

/// A lower bound of the size in bits of the dynamic block [`encode`] would write for these frequencies (`used`:
/// the used symbols, ascending): the header fields with the fewest code length codes (29 bits), the extra bits,
/// the entropy of each alphabet (no prefix code does better), and the code length codes every zero run between
/// used literal/length symbols needs at least (one per symbol of length 1 or more, and 16/17/18's extra bits).
fn dynamic_lower_bound(lit_freq: &[u32], lit_used: &[u16], dist_freq: &[u32], dist_used: &[u16], extra: u64) -> u64 {
    fn entropy_bits(freq: &[u32], used: &[u16]) -> u64 {
        let total: u32 = used.iter().map(|&u| freq[usize::from(u)]).sum();
        if total == 0 {
            return 0;
        }
        let n = f64::from(total);
        let h: f64 = used
            .iter()
            .map(|&u| f64::from(freq[usize::from(u)]))
            .filter(|&f| f > 0.0)
            .map(|f| f * (n / f).log2())
            .sum();
        // Floor, less one for the rounding of the sum: a bound, never above the exact value.
        (h.floor() as u64).saturating_sub(1)
    }
    // Zero runs as `rle_code_lengths` writes them: under 3 as single zeros, 3-10 as one 17 (3 extra bits),
    // 11 or more as at least one 18 (7 extra bits); each code length code is at least one bit. Every run of
    // adjacent used symbols needs at least one code too.
    let zero_run = |g: u64| match g {
        0..=2 => g,
        3..=10 => 4,
        _ => 8,
    };
    let mut header = 0;
    let mut next = 0u64;
    for &u in lit_used {
        let u = u64::from(u);
        if u > next {
            header += zero_run(u - next);
            header += 1;
        } else if next == 0 {
            header += 1;
        }
        next = u + 1;
    }
    29 + extra + entropy_bits(lit_freq, lit_used) + entropy_bits(dist_freq, dist_used) + header
}

/// Huffman-codes `syms` as one final block (fixed or dynamic, whichever is shorter) in a zlib stream; `None`
/// when the stream would not be shorter than `limit` bytes.
fn encode(input: &[u8], syms: &[Sym], limit: usize, sc: &mut Scratch) -> Option<Vec<u8>> {
    let mut lit_freq = [0u32; LITLEN_CODES];
    let mut dist_freq = [0u32; DIST_CODES];
    let mut extra_bits: u64 = 0;
    let mut fixed_bits: u64 = 3;
    let mut lit_used = std::mem::take(&mut sc.lit_used);
    lit_used.clear();
    lit_used.push(END_OF_BLOCK as u16);
    lit_freq[END_OF_BLOCK] = 1;
    fixed_bits += u64::from(FIXED_LIT_LEN[END_OF_BLOCK]);
    for s in syms {
        let sym = if s.dist == 0 {
            usize::from(s.len)
        } else {
            let (lc, dc) = (usize::from(s.lc), usize::from(s.dc));
            dist_freq[dc] += 1;
            let extra = u64::from(LEN_EXTRA[lc]) + u64::from(DIST_EXTRA[dc]);
            extra_bits += extra;
            fixed_bits += 5 + extra;
            257 + lc
        };
        if lit_freq[sym] == 0 {
            lit_used.push(sym as u16);
        }
        lit_freq[sym] += 1;
        fixed_bits += u64::from(FIXED_LIT_LEN[sym]);
    }
    lit_used.sort_unstable();
    let mut dist_used = std::mem::take(&mut sc.dist_used);
    dist_used.clear();
    dist_used.extend((0..DIST_CODES as u16).filter(|&d| dist_freq[usize::from(d)] > 0));
    let dot = |freq: &[u32], lens: &[u8], used: &[u16]| -> u64 {
        used.iter()
            .map(|&u| u64::from(freq[usize::from(u)]) * u64::from(lens[usize::from(u)]))
            .sum()
    };

    // A lower bound of the dynamic block, before building it: when neither that nor the fixed block can give a
    // stream shorter than `limit`, there is nothing to build (a small session that does not compress, as most
    // do not, costs only the LZ77 pass and this).
    let lower = dynamic_lower_bound(&lit_freq, &lit_used, &dist_freq, &dist_used, extra_bits);
    if 6 + lower.min(fixed_bits).div_ceil(8) >= limit as u64 {
        (sc.lit_used, sc.dist_used) = (lit_used, dist_used);
        return None;
    }

    // Dynamic code: block header + code lengths + symbols + extra bits.
    let mut lit_len = [0u8; LITLEN_CODES];
    let mut dist_len = [0u8; DIST_CODES];
    code_lengths(&lit_freq, &mut lit_used, MAX_BITS, &mut lit_len, sc);
    code_lengths(&dist_freq, &mut dist_used, MAX_BITS, &mut dist_len, sc);
    // Symbols 286 and 287 never occur: `hlit` is at most 286.
    let hlit = 257.max(usize::from(lit_used.last().copied().unwrap_or(0)) + 1);
    let hdist = 1.max(usize::from(dist_used.last().copied().unwrap_or(0)) + 1);
    let mut all = [0u8; MAX_HEADER_LENS];
    all[..hlit].copy_from_slice(&lit_len[..hlit]);
    all[hlit..hlit + hdist].copy_from_slice(&dist_len[..hdist]);
    let mut rle = [(0u8, 0u8); MAX_HEADER_LENS];
    let rle_n = rle_code_lengths(&all[..hlit + hdist], &mut rle);
    let rle = &rle[..rle_n];
    let mut cl_freq = [0u32; CODELEN_CODES];
    for &(sym, _) in rle {
        cl_freq[usize::from(sym)] += 1;
    }
    let mut cl_used = std::mem::take(&mut sc.cl_used);
    cl_used.clear();
    cl_used.extend((0..CODELEN_CODES as u16).filter(|&c| cl_freq[usize::from(c)] > 0));
    let mut cl_len = [0u8; CODELEN_CODES];
    code_lengths(&cl_freq, &mut cl_used, MAX_CODELEN_BITS, &mut cl_len, sc);
    let hclen = 4.max(CODELEN_CODES - CODELEN_ORDER.iter().rev().take_while(|&&s| cl_len[s] == 0).count());
    let cl_extra: u64 = u64::from(cl_freq[16]) * 2 + u64::from(cl_freq[17]) * 3 + u64::from(cl_freq[18]) * 7;
    let dynamic_bits = 3
        + 14
        + 3 * hclen as u64
        + dot(&cl_freq, &cl_len, &cl_used)
        + cl_extra
        + extra_bits
        + dot(&lit_freq, &lit_len, &lit_used)
        + dot(&dist_freq, &dist_len, &dist_used);

    debug_assert!(
        lower <= dynamic_bits,
        "lower bound {lower} over the exact {dynamic_bits} bits"
    );
    let dynamic = dynamic_bits < fixed_bits;
    let block_bytes = dynamic_bits.min(fixed_bits).div_ceil(8) as usize;
    // zlib header (2) + block + Adler-32 (4).
    let total = 2 + block_bytes + 4;
    if total >= limit {
        (sc.lit_used, sc.dist_used, sc.cl_used) = (lit_used, dist_used, cl_used);
        return None;
    }

    let mut w = BitWriter {
        out: Vec::with_capacity(total + 4),
        acc: 0,
        n: 0,
    };
    // CMF 0x78 (deflate, 32 KiB window), FLG 0x9C (level 6's FLEVEL, check bits): what zlib writes at level 6.
    w.out.extend_from_slice(&[0x78, 0x9C]);
    let mut lit_code = FIXED_LIT_CODE;
    let mut dist_code_tab = FIXED_DIST_CODE;
    if dynamic {
        w.put(1 | 2 << 1, 3); // BFINAL, BTYPE = 10
        w.put((hlit - 257) as u32, 5);
        w.put((hdist - 1) as u32, 5);
        w.put((hclen - 4) as u32, 4);
        for &s in &CODELEN_ORDER[..hclen] {
            w.put(u32::from(cl_len[s]), 3);
        }
        let mut cl_code = [0u16; CODELEN_CODES];
        codes(&cl_len, &cl_used, &mut cl_code);
        for &(s, extra) in rle {
            let eb = codelen_extra_bits(s);
            let s = usize::from(s);
            w.put(u32::from(cl_code[s]), u32::from(cl_len[s]));
            if eb > 0 {
                w.put(u32::from(extra), eb);
            }
        }
        codes(&lit_len, &lit_used, &mut lit_code);
        codes(&dist_len, &dist_used, &mut dist_code_tab);
    } else {
        w.put(1 | 1 << 1, 3); // BFINAL, BTYPE = 01
        lit_len = FIXED_LIT_LEN;
        dist_len = [5; DIST_CODES];
    }
    for s in syms {
        if s.dist == 0 {
            let b = usize::from(s.len);
            w.put(u32::from(lit_code[b]), u32::from(lit_len[b]));
        } else {
            let (lc, dc) = (usize::from(s.lc), usize::from(s.dc));
            w.put(u32::from(lit_code[257 + lc]), u32::from(lit_len[257 + lc]));
            if LEN_EXTRA[lc] > 0 {
                w.put(u32::from(s.len - LEN_BASE[lc]), u32::from(LEN_EXTRA[lc]));
            }
            w.put(u32::from(dist_code_tab[dc]), u32::from(dist_len[dc]));
            if DIST_EXTRA[dc] > 0 {
                w.put(u32::from(s.dist - DIST_BASE[dc]), u32::from(DIST_EXTRA[dc]));
            }
        }
    }
    w.put(u32::from(lit_code[END_OF_BLOCK]), u32::from(lit_len[END_OF_BLOCK]));
    let mut out = w.finish();
    out.extend_from_slice(&adler32(input).to_be_bytes());
    debug_assert_eq!(out.len(), total);
    (sc.lit_used, sc.dist_used, sc.cl_used) = (lit_used, dist_used, cl_used);
    Some(out)
}

/// Adler-32 (RFC 1950 8.2).
fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    // The most bytes before `b` can overflow a u32 (zlib's NMAX).
    const NMAX: usize = 5552;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(NMAX) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    b << 16 | a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_tables_match_rfc_1951() {
        for len in MIN_MATCH..=MAX_MATCH {
            let c = len_code(len);
            let top = if c == 28 {
                258
            } else {
                LEN_BASE[c] + (1 << LEN_EXTRA[c]) - 1
            };
            assert!((LEN_BASE[c]..=top).contains(&(len as u16)), "length {len} -> code {c}");
        }
        for dist in 1..=32_768usize {
            let c = dist_code(dist);
            let base = usize::from(DIST_BASE[c]);
            assert!(
                (base..base + (1 << DIST_EXTRA[c])).contains(&dist),
                "distance {dist} -> code {c}"
            );
        }
    }

    fn scratch() -> Scratch {
        Scratch {
            lit_used: Vec::new(),
            dist_used: Vec::new(),
            cl_used: Vec::new(),
            keys: Vec::new(),
            weight: Vec::new(),
            parent: Vec::new(),
            depth: Vec::new(),
        }
    }

    #[test]
    fn fixed_tables_are_the_canonical_code_of_the_fixed_lengths() {
        let all: Vec<u16> = (0..LITLEN_CODES as u16).collect();
        let mut lit = [0u16; LITLEN_CODES];
        codes(&FIXED_LIT_LEN, &all, &mut lit);
        assert_eq!(lit, FIXED_LIT_CODE);
        let mut dist = [0u16; DIST_CODES];
        codes(&[5; DIST_CODES], &all[..DIST_CODES], &mut dist);
        assert_eq!(dist, FIXED_DIST_CODE);
    }

    #[test]
    fn adler32_known_answer() {
        // RFC 1950's example alphabet; zlib.adler32(b"Wikipedia") == 0x11E60398.
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        assert_eq!(adler32(b""), 1);
    }

    #[test]
    fn code_lengths_respect_the_limit_and_kraft() {
        // Fibonacci frequencies give a maximally deep unconstrained tree.
        let mut freq = [0u32; CODELEN_CODES];
        let (mut a, mut b) = (1u32, 1u32);
        for f in &mut freq {
            *f = a;
            (a, b) = (b, a + b);
        }
        let mut lens = [0u8; CODELEN_CODES];
        let mut used: Vec<u16> = (0..CODELEN_CODES as u16).collect();
        code_lengths(&freq, &mut used, MAX_CODELEN_BITS, &mut lens, &mut scratch());
        assert!(lens.iter().all(|&l| (1..=MAX_CODELEN_BITS).contains(&l)));
        let kraft: u32 = lens.iter().map(|&l| 1u32 << (MAX_CODELEN_BITS - l)).sum();
        assert_eq!(kraft, 1 << MAX_CODELEN_BITS, "complete code");
    }

    #[test]
    fn single_symbol_gets_a_complete_code() {
        let mut freq = [0u32; DIST_CODES];
        freq[7] = 5;
        let mut lens = [0u8; DIST_CODES];
        let mut used = vec![7];
        code_lengths(&freq, &mut used, MAX_BITS, &mut lens, &mut scratch());
        assert_eq!(used, [0, 7]);
        assert_eq!(lens.iter().filter(|&&l| l == 1).count(), 2);
        assert_eq!(lens[7], 1);
    }

    mod prop {
        use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
        use proptest::prelude::*;

        use super::super::{MAX_INPUT, zlib_compress};

        /// Inflates with flate2's zlib (the reference inflater): the whole stream, checksum included.
        fn inflate(stream: &[u8], len: usize) -> Vec<u8> {
            let mut d = Decompress::new(true);
            let mut out = Vec::with_capacity(len + 1);
            let status = d
                .decompress_vec(stream, &mut out, FlushDecompress::Finish)
                .expect("a valid zlib stream");
            assert_eq!(status, Status::StreamEnd, "the stream ends");
            assert_eq!(d.total_in() as usize, stream.len(), "no trailing bytes");
            out
        }

        fn zlib6_len(input: &[u8]) -> usize {
            let mut c = Compress::new(Compression::new(6), true);
            let mut out = Vec::with_capacity(input.len() + 64);
            let status = c
                .compress_vec(input, &mut out, FlushCompress::Finish)
                .expect("zlib compresses");
            assert_eq!(status, Status::StreamEnd);
            out.len()
        }

        /// Session-like JSON: a dict of a few keys from a small vocabulary, short strings, numbers, lists.
        fn session_json() -> impl Strategy<Value = Vec<u8>> {
            let word = prop::sample::select(vec![
                "user_id",
                "username",
                "roles",
                "admin",
                "csrf_token",
                "_fresh",
                "_permanent",
                "cart",
                "items",
                "qty",
                "sku",
                "price",
                "flashes",
                "message",
                "success",
                "en-GB",
                "theme",
                "dark",
                " t",
                " d",
            ]);
            let value = prop_oneof![
                word.clone().prop_map(|w| format!("\"{w}\"")),
                any::<u32>().prop_map(|n| n.to_string()),
                "[0-9a-f]{8,40}".prop_map(|h| format!("\"{h}\"")),
                prop::collection::vec(word.clone(), 0..6).prop_map(|ws| format!("[\"{}\"]", ws.join("\",\""))),
            ];
            prop::collection::vec((word, value), 0..60).prop_map(|kv| {
                let body: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                format!("{{{}}}", body.join(",")).into_bytes()
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            /// Any bytes: when a stream comes back it is valid zlib and inflates to the input, and it is shorter
            /// than the limit.
            #[test]
            fn any_bytes_round_trip(input in prop::collection::vec(any::<u8>(), 0..3000), slack in 0usize..64) {
                let limit = input.len() + slack;
                if let Some(stream) = zlib_compress(&input, limit) {
                    prop_assert!(stream.len() < limit);
                    prop_assert_eq!(inflate(&stream, input.len()), input);
                }
            }

            /// The limit is exact: a stream of `L` bytes comes back for a limit of `L + 1`, not for `L` (the early
            /// refusal never refuses a stream that would have fitted).
            #[test]
            fn limit_is_exact(input in prop::collection::vec(prop::sample::select(b"{}\":,abcdeu0123 ".to_vec()), 0..200)) {
                if let Some(stream) = zlib_compress(&input, usize::MAX) {
                    let len = stream.len();
                    prop_assert_eq!(zlib_compress(&input, len + 1), Some(stream));
                    prop_assert_eq!(zlib_compress(&input, len), None);
                }
            }

            /// Repetitive bytes (long matches, runs, far distances up to the 32 KiB maximum input).
            #[test]
            fn repetitive_bytes_round_trip(
                unit in prop::collection::vec(0u8..4, 1..40),
                reps in 1usize..2000,
                noise in prop::collection::vec((any::<usize>(), any::<u8>()), 0..20),
            ) {
                let mut input: Vec<u8> = unit.iter().copied().cycle().take((unit.len() * reps).min(MAX_INPUT)).collect();
                for (at, b) in noise {
                    if !input.is_empty() {
                        let i = at % input.len();
                        input[i] = b;
                    }
                }
                let stream = zlib_compress(&input, usize::MAX).expect("no limit");
                prop_assert_eq!(inflate(&stream, input.len()), input);
            }

            /// Session-like JSON: round trip, and never more than a few bytes over zlib level 6.
            #[test]
            fn session_json_is_level_6_class(json in session_json()) {
                let stream = zlib_compress(&json, usize::MAX).expect("no limit");
                prop_assert_eq!(inflate(&stream, json.len()), json.clone());
                let zlib = zlib6_len(&json);
                prop_assert!(stream.len() <= zlib + 4, "ours {} B, zlib level 6 {} B", stream.len(), zlib);
            }
        }
    }
}
