//! `--shard I/N`: a deterministic 1/N of the stones, by a stable hash (FNV-1a, 64 bit) of the
//! stone key, so that N machines split an archive with no coordinator. I runs from 0 to N-1
//! (a Kubernetes Indexed Job's `JOB_COMPLETION_INDEX`; for a Slurm array starting at 1, pass
//! `$((SLURM_ARRAY_TASK_ID-1))`).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("shard {s:?}: expected I/N, e.g. 0/4"))?;
        let index: u64 = i
            .trim()
            .parse()
            .map_err(|_| format!("shard {s:?}: I is not a number"))?;
        let count: u64 = n
            .trim()
            .parse()
            .map_err(|_| format!("shard {s:?}: N is not a number"))?;
        if count == 0 || index >= count {
            return Err(format!("shard {s:?}: need 0 <= I < N"));
        }
        Ok(Shard { index, count })
    }
}

/// FNV-1a, 64 bit: stable across runs, machines and versions.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl Shard {
    pub fn owns(&self, key: &str) -> bool {
        fnv1a(key.as_bytes()) % self.count == self.index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_and_partition() {
        assert_eq!("2/5".parse::<Shard>(), Ok(Shard { index: 2, count: 5 }));
        assert!("5/5".parse::<Shard>().is_err());
        assert!("1/0".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
        // known FNV-1a value
        assert_eq!(fnv1a(b"a"), 0xaf63dc4c8601ec8c);
        let shards: Vec<Shard> = (0..4).map(|i| Shard { index: i, count: 4 }).collect();
        for k in 0..1000 {
            let key = format!("S{k}");
            assert_eq!(shards.iter().filter(|s| s.owns(&key)).count(), 1);
        }
    }
}
