//! The model packages of `models/` as they were when the binary was built, carried inside it,
//! so that a binary copied to a machine holding nothing else still screens (the folder is read
//! instead wherever one is given or found: see [`super::ModelSource`]).

/// One package: its folder name, manifest and ONNX graph.
pub struct BuiltIn {
    pub id: &'static str,
    pub manifest: &'static str,
    pub onnx: &'static [u8],
}

macro_rules! package {
    ($id:literal) => {
        BuiltIn {
            id: $id,
            manifest: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/models/",
                $id,
                "/manifest.json"
            )),
            onnx: include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/models/",
                $id,
                "/model.onnx"
            )),
        }
    };
}

/// Every package of `models/` (a test checks that none is missing).
pub const PACKAGES: [BuiltIn; 3] = [
    package!("ftir-mlp"),
    package!("pl405-mlp"),
    package!("pl532-mlp"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_package_of_the_model_folder_is_built_in_byte_for_byte() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
        let mut ids: Vec<String> = std::fs::read_dir(&root)
            .unwrap()
            .flatten()
            .filter(|e| e.path().join("manifest.json").is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        ids.sort();
        let built: Vec<&str> = PACKAGES.iter().map(|p| p.id).collect();
        assert_eq!(ids, built, "models/ and the built-in list differ");
        for p in &PACKAGES {
            let dir = root.join(p.id);
            assert_eq!(
                std::fs::read_to_string(dir.join("manifest.json")).unwrap(),
                p.manifest
            );
            assert!(std::fs::read(dir.join("model.onnx")).unwrap() == p.onnx);
        }
    }
}
