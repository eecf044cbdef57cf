/** Colours distinguishable in greyscale order and for common colour blindness; each series also has a text label. */
export const seriesColours = ["#8c959f", "#bf8700", "#0b5cad", "#6639ba", "#1a7f37"];
export const axisProps = { stroke: "#57606a", fontSize: 12 } as const;
export const shortDay = (day: string) => day.slice(5);
