//! Python's `random.Random(seed)` for int and str seeds (MT19937,
//! `init_by_array`) and its `sample`, so Salt's seeded
//! `random_sample`/`random_shuffle` give the same order as Salt.

const N: usize = 624;
const M: usize = 397;

/// The Mersenne Twister state of CPython's `_random.Random`.
pub struct PyRandom {
    mt: [u32; N],
    index: usize,
}

impl PyRandom {
    fn init_genrand(s: u32) -> PyRandom {
        let mut mt = [0u32; N];
        mt[0] = s;
        for i in 1..N {
            mt[i] = 1_812_433_253u32
                .wrapping_mul(mt[i - 1] ^ (mt[i - 1] >> 30))
                .wrapping_add(i as u32);
        }
        PyRandom { mt, index: N }
    }

    /// `random.seed(n)` for an int: the 32-bit words of `abs(n)`.
    pub fn from_int(n: i128) -> PyRandom {
        let mut a = n.unsigned_abs();
        let mut key = Vec::new();
        while a > 0 {
            key.push(a as u32);
            a >>= 32;
        }
        if key.is_empty() {
            key.push(0);
        }
        Self::init_by_array(&key)
    }

    /// `random.seed(text)` (version 2): the int of the UTF-8 text followed by
    /// its SHA-512 digest, big-endian.
    pub fn from_str_seed(text: &str) -> PyRandom {
        use sha2::Digest as _;
        let mut bytes = text.as_bytes().to_vec();
        bytes.extend(sha2::Sha512::digest(text.as_bytes()));
        Self::from_be_bytes(&bytes)
    }

    /// `random.seed(int.from_bytes(bytes, 'big'))`.
    fn from_be_bytes(bytes: &[u8]) -> PyRandom {
        let mut key: Vec<u32> = bytes
            .rchunks(4)
            .map(|c| c.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)))
            .collect();
        while key.len() > 1 && key.last() == Some(&0) {
            key.pop();
        }
        if key.is_empty() {
            key.push(0);
        }
        Self::init_by_array(&key)
    }

    fn init_by_array(key: &[u32]) -> PyRandom {
        let mut r = Self::init_genrand(19_650_218);
        let mt = &mut r.mt;
        let (mut i, mut j) = (1usize, 0usize);
        for _ in 0..N.max(key.len()) {
            mt[i] = (mt[i] ^ (mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            mt[i] = (mt[i] ^ (mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_mul(1_566_083_941))
                .wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        mt[0] = 0x8000_0000;
        r
    }

    fn genrand_u32(&mut self) -> u32 {
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7fff_ffff;
        const MATRIX_A: u32 = 0x9908_b0df;
        if self.index >= N {
            for k in 0..N {
                let y = (self.mt[k] & UPPER) | (self.mt[(k + 1) % N] & LOWER);
                let mag = if y & 1 == 1 { MATRIX_A } else { 0 };
                self.mt[k] = self.mt[(k + M) % N] ^ (y >> 1) ^ mag;
            }
            self.index = 0;
        }
        let mut y = self.mt[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// `getrandbits(k)` for `k <= 32`.
    fn getrandbits(&mut self, k: u32) -> u32 {
        if k == 0 {
            return 0;
        }
        self.genrand_u32() >> (32 - k)
    }

    /// `_randbelow_with_getrandbits(n)`.
    fn randbelow(&mut self, n: usize) -> usize {
        let k = usize::BITS - n.leading_zeros();
        loop {
            let r = self.getrandbits(k) as usize;
            if r < n {
                return r;
            }
        }
    }

    /// `Random.sample(population, k)`: the indices it picks, in order.
    pub fn sample_indices(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut setsize = 21usize;
        if k > 5 {
            let exp = ((k * 3) as f64).ln() / 4f64.ln();
            setsize += 4usize.pow(exp.ceil() as u32);
        }
        let mut result = Vec::with_capacity(k);
        if n <= setsize {
            let mut pool: Vec<usize> = (0..n).collect();
            for i in 0..k {
                let j = self.randbelow(n - i);
                result.push(pool[j]);
                pool[j] = pool[n - i - 1];
            }
        } else {
            let mut selected = std::collections::HashSet::new();
            for _ in 0..k {
                let mut j = self.randbelow(n);
                while selected.contains(&j) {
                    j = self.randbelow(n);
                }
                selected.insert(j);
                result.push(j);
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_cpython() {
        // python3: random.Random(42).sample(range(10), 10), .sample(range(100), 3)
        assert_eq!(
            PyRandom::from_int(42).sample_indices(10, 10),
            [1, 0, 4, 9, 6, 5, 8, 2, 3, 7]
        );
        assert_eq!(PyRandom::from_int(42).sample_indices(100, 3), [81, 14, 3]);
        // random.Random(2**40 + 7).getrandbits(32)
        assert_eq!(
            PyRandom::from_int((1 << 40) + 7).genrand_u32(),
            2_635_837_658
        );
        assert_eq!(
            PyRandom::from_int(-5).sample_indices(30, 30)[..5],
            [19, 8, 23, 11, 25]
        );
        assert_eq!(
            PyRandom::from_int(0).sample_indices(40, 6),
            [24, 26, 2, 16, 32, 31]
        );
        // n past the set size: the selected-set path
        assert_eq!(
            PyRandom::from_int(7).sample_indices(1000, 4),
            [331, 970, 154, 404]
        );
        // random.Random('abc').sample(range(10), 4)
        assert_eq!(
            PyRandom::from_str_seed("abc").sample_indices(10, 4),
            [8, 7, 5, 6]
        );
    }
}
