// Errors inside the body point at the body, not at the attribute.
#[edgeio::main]
async fn main() -> std::io::Result<()> {
    let n: u32 = "not a number";
    println!("{n}");
    5
}
