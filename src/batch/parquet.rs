//! Parquet output: typed columns, one row group per chunk of stones, so memory stays bounded
//! and the file is readable by any Parquet reader (pandas, polars, DuckDB, Spark). The columns
//! are the flat record's ([`super::record`]); its nested parts are JSON text columns.
//! A Parquet file is only valid once its footer is written: a killed run leaves an unreadable
//! file, so `--resume` is for JSON lines and CSV; rerun a killed Parquet job whole (or per
//! shard).

use super::output::RecordSink;
use super::record::{COLUMNS, Cell, Kind};
use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::fs::File;
use std::io;
use std::sync::Arc;

/// The columns of [`COLUMNS`]: numbers as Float64, text and JSON text as Utf8, all nullable.
pub fn schema() -> Arc<Schema> {
    let fields: Vec<Field> = COLUMNS
        .iter()
        .map(|(name, kind)| {
            let t = match kind {
                Kind::Number => DataType::Float64,
                Kind::Text | Kind::Json => DataType::Utf8,
            };
            Field::new(*name, t, true)
        })
        .collect();
    Arc::new(Schema::new(fields))
}

fn batch(
    schema: &Arc<Schema>,
    records: &[Vec<Cell>],
) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let columns: Vec<ArrayRef> = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| -> ArrayRef {
            match kind {
                Kind::Number => Arc::new(
                    records
                        .iter()
                        .map(|r| match &r[i] {
                            Cell::Number(x) => *x,
                            _ => None,
                        })
                        .collect::<Float64Array>(),
                ),
                Kind::Text | Kind::Json => Arc::new(
                    records
                        .iter()
                        .map(|r| r[i].to_text())
                        .collect::<StringArray>(),
                ),
            }
        })
        .collect();
    RecordBatch::try_new(schema.clone(), columns)
}

pub struct ParquetSink {
    writer: ArrowWriter<File>,
    schema: Arc<Schema>,
}

impl ParquetSink {
    pub fn create(file: File) -> io::Result<ParquetSink> {
        let schema = schema();
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build();
        let writer =
            ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(io::Error::other)?;
        Ok(ParquetSink { writer, schema })
    }
}

impl RecordSink for ParquetSink {
    /// One chunk of records as one row group.
    fn write(&mut self, records: &[Vec<Cell>]) -> io::Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        let b = batch(&self.schema, records).map_err(io::Error::other)?;
        self.writer.write(&b).map_err(io::Error::other)?;
        self.writer.flush().map_err(io::Error::other)
    }

    /// Write the footer; the file is readable only after this.
    fn finish(self: Box<Self>) -> io::Result<()> {
        self.writer.close().map(|_| ()).map_err(io::Error::other)
    }
}
