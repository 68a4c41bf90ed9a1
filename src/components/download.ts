// A download link for bytes made in the browser (no server involved).

export function downloadButton(label: string, filename: string, make: () => Promise<BlobPart> | BlobPart, type: string): HTMLButtonElement {
  const button = document.createElement("button");
  button.textContent = label;
  button.dataset.download = filename;
  button.onclick = async () => {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([await make()], {type}));
    link.download = filename;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  };
  return button;
}
